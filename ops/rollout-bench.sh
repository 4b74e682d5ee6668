#!/usr/bin/env bash
# Benchmarks what a model rollout costs the served scores, in one run: live posts at a fixed rate
# through an in-JVM broker, the Apicurio registry and the service, with HTTP /predict in a closed
# loop beside them, with no candidate, with a candidate at 100% sampling, and while 10,000 stored
# posts are scored again for a newly promoted version.
# Usage: ops/rollout-bench.sh [bundle-dir (models/tiny)] [live posts/s (40)] [seconds per phase (30)]
#                             [stored posts (10000)] [re-scoring posts/s (100)]
# BENCH_JVM_OPTS adds JVM options.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle="${1:-models/tiny}"
rate="${2:-40}"
seconds="${3:-30}"
stored="${4:-10000}"
rescore="${5:-100}"
mvn -q -B test-compile exec:exec \
  -Dexec.classpathScope=test \
  -Dexec.args="-Dai.djl.offline=true ${BENCH_JVM_OPTS:-} -classpath %classpath io.engagementscorer.bench.RolloutBenchmark $bundle $rate $seconds $stored $rescore"
