#!/usr/bin/env bash
# Benchmarks the CPU cost of preparing one post on one core (JMH, average time per operation in µs):
# decoding a 1080x1080 JPEG and a 1280x720 PNG, resizing and normalising each to the model's
# 224x224 tensor, cleaning and tokenizing the post text, tokenizing 10 comments, and whole posts
# through the service's PostPreparer. One fork, 3 warm-up and 5 measured iterations of 2 s per
# benchmark: about 3 minutes. The sizing rule that turns the figures into cores is in
# docs/benchmarks.md ("Preparation cost per core").
# Usage: ops/prep-bench.sh [bundle-dir (default models/tiny)]
# BENCH_JVM_OPTS adds JVM options to the JMH host JVM; its forked JVM inherits them.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle="${1:-models/tiny}"
mvn -q -B test-compile exec:exec \
  -Dexec.classpathScope=test \
  -Dexec.args="-Dai.djl.offline=true ${BENCH_JVM_OPTS:-} -classpath %classpath org.openjdk.jmh.Main io.engagementscorer.bench.PreparationBenchmark -f 1 -t 1 -wi 3 -w 2s -i 5 -r 2s -bm avgt -tu us -p bundle=$bundle"
