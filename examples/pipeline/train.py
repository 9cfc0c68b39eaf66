"""Step 2: fit y = a x + b by gradient descent, logging the loss to the run."""

import json
import sys
from pathlib import Path

import artifactctl

data, out = Path(sys.argv[1]), Path(sys.argv[2])
points = [
    tuple(map(float, line.split(","))) for line in (data / "data.csv").read_text().split()[1:]
]
with artifactctl.init_run() as run:  # inside `run exec`: attaches to that run
    epochs = int(run.config.get("epochs", 20))
    a = b = 0.0
    lr = 0.005
    for epoch in range(epochs):
        for _ in range(50):
            ga = sum(2 * (a * x + b - y) * x for x, y in points) / len(points)
            gb = sum(2 * (a * x + b - y) for x, y in points) / len(points)
            a, b = a - lr * ga, b - lr * gb
        loss = sum((a * x + b - y) ** 2 for x, y in points) / len(points)
        run.log({"epoch": epoch, "loss": loss})
out.mkdir(parents=True, exist_ok=True)
(out / "model.json").write_text(json.dumps({"a": round(a, 6), "b": round(b, 6)}) + "\n")
print(f"trained a={a:.3f} b={b:.3f}")
