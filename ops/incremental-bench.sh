#!/usr/bin/env bash
# Benchmarks what reusing features saves (HTTP at 10/100/1000 comments cold and warm; 50 hot posts
# in the stream with reuse and from scratch; changelog bytes of a comment-only event; the feature
# caches' memory bound), all in one JVM.
# Usage: ops/incremental-bench.sh [bundle-dir (default models/tiny)] [comments per hot post
#        (default 200)] [seconds of from-scratch scoring (default 60)]
# A full-size bundle for it, from the repository root (about 1.3 GB with its parts, git-ignored):
#   PYTHONPATH=ops ops/.venv/bin/python -m exporter export --size vit-b-32 --out models/vit-b-32
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B test-compile exec:exec \
  -Dexec.classpathScope=test \
  -Dexec.args="-Dai.djl.offline=true ${BENCH_JVM_OPTS:-} -classpath %classpath io.engagementscorer.bench.IncrementalBenchmark ${1:-models/tiny} ${2:-200} ${3:-60}"
