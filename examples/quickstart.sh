#!/usr/bin/env bash
# A five-minute tour of artifactctl on a fresh, temporary store. Run it with `make demo`.
set -euo pipefail

work=$(mktemp -d "${TMPDIR:-/tmp}/artifactctl-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
export ARTIFACTCTL_DIR="$work/.artifactctl"   # the store `init` creates below; nothing else is touched
cd "$work"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

# A small example dataset: a few CSV shards, a label map, and one duplicated file.
mkdir -p data/train data/test
for i in 0 1 2 3; do
  python3 - "$i" > "data/train/shard-$i.csv" <<'PY'
import random, sys
rng = random.Random(int(sys.argv[1]))
print("x,y,label")
for _ in range(2000):
    print(f"{rng.random():.6f},{rng.random():.6f},{rng.randrange(10)}")
PY
done
cp data/train/shard-0.csv data/test/shard-0.csv
printf '{"0": "zero", "1": "one"}\n' > data/labels.json

step artifactctl init "$work" --hash xxh3-128
step artifactctl put data --name mnist --type dataset --description "demo dataset" \
     --metadata '{"source": "generated", "rows": 10000}'
step artifactctl ls
step artifactctl show mnist
step artifactctl files mnist:v0
step artifactctl get mnist:v0 --root "$work/copy"
step artifactctl verify mnist:v0 "$work/copy"

echo; echo "# Putting the same content again creates no new version:"
step artifactctl put data --name mnist --type dataset

echo; echo "# Change one shard and put again: only the changed bytes are stored."
before=$(artifactctl store --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["physical_bytes"])')
printf '0.5,0.5,7\n' >> data/train/shard-3.csv
step artifactctl put data --name mnist --type dataset --alias candidate
after=$(artifactctl store --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["physical_bytes"])')
step artifactctl diff mnist:v0 mnist:v1
step artifactctl ls mnist
echo "stored bytes grew by $((after - before)) for a $(du -b data/train/shard-3.csv | cut -f1)-byte changed file (the rest is shared)"

echo; echo "# Promote the candidate into a registry: a link, no bytes copied."
step artifactctl link mnist:candidate model-registry/mnist --alias production
step artifactctl get model-registry/mnist:production --root "$work/deploy"
step artifactctl verify model-registry/mnist:production "$work/deploy"

echo; echo "# A tampered copy fails verification with exit code 6:"
chmod u+w "$work/copy/train/shard-1.csv"; echo "tampered" >> "$work/copy/train/shard-1.csv"
set +e; artifactctl verify mnist:v0 "$work/copy"; code=$?; set -e
echo "exit code: $code"
[ "$code" -eq 6 ]

step artifactctl checkout mnist:candidate "$work/checkout"
step artifactctl get mnist --file labels.json -o -
step artifactctl fsck
step artifactctl store
echo; echo "demo finished: every step above ran against $ARTIFACTCTL_DIR"
