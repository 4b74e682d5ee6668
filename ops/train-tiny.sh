#!/usr/bin/env bash
# Trains a tiny model end to end and leaves a bundle the service loads, in OUT_DIR (which must be
# absent or empty): builds the venv, writes a synthetic dataset (OUT_DIR/data), fine-tunes the tiny
# configuration on the CPU for 5 epochs with OUT_DIR as the run folder, exports the bundle to
# OUT_DIR/bundle and verifies it. The last line printed (stdout) is the bundle's path; progress
# goes to stderr. Seeds and created_at are fixed, so the bundle's files and scores are the same on
# every run (same CPU type and thread count); only the manifest's mlflow_run_id changes. About 25 s
# on 2 cores once the venv exists.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
if [[ -e "$1" && -n "$(ls -A "$1")" ]]; then
  echo "$1 is not empty: give a new or empty directory" >&2
  exit 2
fi
ops_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$1"
out="$(cd "$1" && pwd)"
"$ops_dir/venv.sh" >&2
cd "$ops_dir"
.venv/bin/python -m training make-synthetic --out "$out/data" --rows 400 --seed 0 >&2
.venv/bin/python -m training train \
  --data "$out/data/posts.jsonl" --out "$out" \
  --size tiny --epochs 5 --batch-size 8 --lr 3e-3 --head-lr 3e-3 --seed 0 \
  --version tiny-trained-1 --created-at 2026-11-24T00:00:00Z \
  --tracking-uri "sqlite:///$out/mlflow.db" --no-progress >&2
.venv/bin/python -m exporter verify "$out/bundle" >&2
echo "$out/bundle"
