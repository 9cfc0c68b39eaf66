"""Step 3: score the model; the accuracy goes to the run's summary and to a report."""

import json
import subprocess
import sys
from pathlib import Path

data, model, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
points = [
    tuple(map(float, line.split(","))) for line in (data / "data.csv").read_text().split()[1:]
]
params = json.loads((model / "model.json").read_text())
close = sum(abs(params["a"] * x + params["b"] - y) < 0.5 for x, y in points)
accuracy = round(close / len(points), 4)
out.mkdir(parents=True, exist_ok=True)
(out / "report.json").write_text(json.dumps({"accuracy": accuracy}) + "\n")
# the CLI works inside the run too: ARTIFACTCTL_RUN_ID is set by `run exec`
subprocess.run(["artifactctl", "run", "log", f"accuracy={accuracy}"], check=True)
print(f"accuracy {accuracy}")
