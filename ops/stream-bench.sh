#!/usr/bin/env bash
# Benchmarks the Kafka Streams path of one bundle: the model ceiling at batch 32, then, through an
# in-JVM broker, the Apicurio registry and the service, saturated throughput and produce-to-score
# latency at 70% of it.
# Usage: ops/stream-bench.sh [bundle-dir (default models/tiny)] [seconds per phase (default 30)]
# A full-size bundle for it, from the repository root (about 750 MB, git-ignored):
#   PYTHONPATH=ops ops/.venv/bin/python -m exporter export --size vit-b-32 --out models/vit-b-32
# BATCH_MAX_DELAY_MS, BATCH_QUEUE_CAPACITY, SCORING_TIMEOUT_MS, INFERENCE_WORKERS,
# SENTIMENT_BATCH_SIZE, COMMIT_INTERVAL_MS, NUM_STREAM_THREADS and KAFKA_STREAMS_* from the
# environment pass through to the service, e.g. BATCH_MAX_DELAY_MS=1000 ops/stream-bench.sh.
# BENCH_JVM_OPTS adds JVM options, e.g. -Dai.djl.pytorch.graph_optimizer=false.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle="${1:-models/tiny}"
seconds="${2:-30}"
mvn -q -B test-compile exec:exec \
  -Dexec.classpathScope=test \
  -Dexec.args="-Dai.djl.offline=true ${BENCH_JVM_OPTS:-} -classpath %classpath io.engagementscorer.bench.StreamBenchmark $bundle $seconds"
