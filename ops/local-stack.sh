#!/usr/bin/env bash
# Starts the whole system on this machine: a KRaft Kafka broker and the Apicurio schema registry
# (both from Maven Central, nothing to install), the service with the bundled model, and a demo
# producer; prints scores as they arrive. Ctrl-C stops everything. The environment and .env
# configure the service as usual (PORT, MODEL_DIR, ...).
#
# The screen shows what starts, where the API, docs and metrics are, how to publish a post, and
# the scores; the build's output and every log line go to target/local-stack/local-stack.log.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=target/local-stack
log="$dir/local-stack.log"
mkdir -p "$dir"
: > "$log"
echo "Building (the first run downloads the dependencies; full logs: $log)..."
if ! mvn -q -B test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$dir/classpath.txt" >> "$log" 2>&1; then
  echo "The build failed; the end of $log:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
exec java -Dai.djl.offline=true \
  -Dlogback.configurationFile=src/test/resources/dev/logback-local-stack.xml \
  -Dlocal.stack.log="$log" \
  -classpath "target/test-classes:target/classes:$(cat "$dir/classpath.txt")" \
  io.engagementscorer.dev.LocalStack
