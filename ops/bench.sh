#!/usr/bin/env bash
# Benchmarks one bundle: the model ceiling on ready tensors and HTTP /predict under load.
# Usage: ops/bench.sh [bundle-dir (default models/tiny)] [seconds per measurement (default 10)]
# A full-size bundle for it, from the repository root (about 750 MB, git-ignored):
#   PYTHONPATH=ops ops/.venv/bin/python -m exporter export --size vit-b-32 --out models/vit-b-32
# BENCH_JVM_OPTS adds JVM options, e.g. -Dai.djl.pytorch.graph_optimizer=false.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle="${1:-models/tiny}"
seconds="${2:-10}"
mvn -q -B test-compile exec:exec \
  -Dexec.classpathScope=test \
  -Dexec.args="-Dai.djl.offline=true ${BENCH_JVM_OPTS:-} -classpath %classpath io.engagementscorer.bench.PredictBenchmark $bundle $seconds"
