#!/usr/bin/env bash
# A CI-style promotion pipeline: train → register as staging → promote to production →
# deploy (get by the registry alias in another directory) → verify. Run by test_promotion.py
# with ARTIFACTCTL_DIR set to a fresh store and WORK to a scratch directory.
set -euo pipefail
cd "$WORK"

# "training" writes a model twice; the second run is the one we promote
mkdir -p model
echo "weights v1" > model/weights.bin
echo '{"layers": 3}' > model/config.json
artifactctl put model --name mnist-train --type model --quiet
echo "weights v2" > model/weights.bin
artifactctl put model --name mnist-train --type model --alias candidate --quiet

# register the candidate as staging in the model registry
linked=$(artifactctl link mnist-train:candidate model-registry/mnist-classifier --alias staging \
         --run ci-42 --json)
member=$(printf '%s' "$linked" | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
[ "$member" = "model-registry/mnist-classifier:v0" ]

# promote: the staging member also becomes production, inside the portfolio only
artifactctl alias set "$member" production --expect none

# deploy from another directory by the registry alias, then verify the bytes
mkdir -p "$WORK/deploy" && cd "$WORK/deploy"
artifactctl get model-registry/mnist-classifier:production --root current --quiet
artifactctl verify model-registry/mnist-classifier:production current
cmp current/weights.bin "$WORK/model/weights.bin"
echo "promoted $(artifactctl show model-registry/mnist-classifier:production --json \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["source"])')"
