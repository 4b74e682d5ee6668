#!/usr/bin/env bash
# Starts the whole system on this machine: a KRaft Kafka broker and the Apicurio schema registry
# (both from Maven Central, nothing to install), the service with the bundled model, and a demo
# producer; prints scores as they arrive. Ctrl-C stops everything. The environment and .env
# configure the service as usual (PORT, MODEL_DIR, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
exec mvn -q -B test-compile exec:exec \
  -Dexec.classpathScope=test \
  -Dexec.args="-Dai.djl.offline=true -classpath %classpath io.engagementscorer.dev.LocalStack"
