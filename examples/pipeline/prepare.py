"""Step 1: make a small, deterministic dataset (y = 2x + 1 with fixed noise)."""

import sys
from pathlib import Path

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
rows = ["x,y"]
for i in range(200):
    x = i / 10
    noise = ((i * 7919) % 13 - 6) / 20
    rows.append(f"{x},{2 * x + 1 + noise:.4f}")
(out / "data.csv").write_text("\n".join(rows) + "\n")
print(f"prepared {len(rows) - 1} rows in {out}")
