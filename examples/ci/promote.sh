#!/bin/sh
# Promote the model of the latest evaluate run when its accuracy passes a threshold.
#   THRESHOLD=0.9 PORTFOLIO=registry/pipeline-model ./promote.sh
# DRY_RUN=1 prints the link command instead of running it.
set -eu
ARTIFACTCTL=${ARTIFACTCTL:-artifactctl}
PYTHON=${PYTHON:-python3}
PROJECT=${PROJECT:-pipeline}
THRESHOLD=${THRESHOLD:-0.9}
PORTFOLIO=${PORTFOLIO:-registry/pipeline-model}
ALIAS=${ALIAS:-production}

run_id=$($ARTIFACTCTL run ls --project "$PROJECT" --filter job_type=evaluate \
  --filter state=finished --order -created_at --json \
  | $PYTHON -c 'import json,sys; runs=json.load(sys.stdin); print(runs[0]["id"] if runs else "")')
if [ -z "$run_id" ]; then
  echo "no finished evaluate run in project $PROJECT" >&2
  exit 1
fi
accuracy=$($ARTIFACTCTL run summary "$run_id" --json \
  | $PYTHON -c 'import json,sys; print(json.load(sys.stdin).get("accuracy", ""))')
model=$($ARTIFACTCTL run show "$run_id" --json \
  | $PYTHON -c 'import json,sys; print(next(v for v in json.load(sys.stdin)["inputs"] if v.startswith("pipeline-model:")))')
if $PYTHON -c "import sys; sys.exit(0 if '$accuracy' and float('$accuracy') >= float('$THRESHOLD') else 1)"; then
  echo "accuracy $accuracy >= $THRESHOLD: promoting $model to $PORTFOLIO:$ALIAS"
  if [ "${DRY_RUN:-}" = 1 ]; then
    echo "would run: $ARTIFACTCTL link $model $PORTFOLIO --alias $ALIAS"
  else
    $ARTIFACTCTL link "$model" "$PORTFOLIO" --alias "$ALIAS"
  fi
else
  echo "accuracy $accuracy < $THRESHOLD: not promoting $model"
fi
