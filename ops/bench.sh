#!/usr/bin/env bash
# Benchmarks one bundle: the model ceiling on ready tensors and HTTP /predict under load.
# Usage: ops/bench.sh [bundle-dir (default models/tiny)] [seconds per measurement (default 10)]
# A full-size bundle for it: ops/.venv/bin/python -m exporter export --size vit-b-32 --out models/vit-b-32
# (run from ops/, see ops/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bundle="${1:-models/tiny}"
seconds="${2:-10}"
mvn -q -B test-compile exec:exec \
  -Dexec.classpathScope=test \
  -Dexec.args="-Dai.djl.offline=true -classpath %classpath io.engagementscorer.bench.PredictBenchmark $bundle $seconds"
