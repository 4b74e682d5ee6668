#!/usr/bin/env bash
# The fault-injection run: a Kafka broker (KRaft) in a process of its own on a fixed log directory,
# the Apicurio registry, two instances of the service in processes of their own, a producer that
# records what the broker acknowledged, SIGKILLs of the instances and of the broker during
# production, and a verifier that reads the scores with read_committed. It prints one summary line
# (PASS or FAIL) and exits 0 on PASS; the full report and every process's log are in
# target/faults/<plan>-<time>/. See docs/operations.md, "Fault-injection run".
# Usage: ops/fault-run.sh [operators|quick|failover|recovery-10k|recovery-100k] [NAME=value ...]
#        [broker.NAME=value ...]
#   operators (default): 600 posts, 1,956 events over 3 min on 6 partitions; instance a, b and a
#     again killed and restarted after 10 s, then the broker (about 7 minutes in all).
#   quick: 150 posts, 450 events over 70 s; a, then the broker (what FaultInjectionIT runs in CI).
#   failover: 300 posts, 3,000 events over 150 s; a killed at 15 s and kept down for 2 minutes, so
#     that b takes over its partitions (the fail-over time, whatever the timeouts).
#   recovery-10k, recovery-100k: the same after 10,000 or 100,000 posts (images by reference) were
#     produced and scored, so that the stores hold that much state when a is killed.
#   NAME=value sets a variable of both instances (TRANSACTION_TIMEOUT_MS=10000,
#     KAFKA_STREAMS_NUM_STANDBY_REPLICAS=1, ...); broker.NAME=value a broker property.
set -euo pipefail
cd "$(dirname "$0")/.."
plan="${1:-operators}"
shift || true
mvn -q -B test-compile exec:exec \
  -Dexec.classpathScope=test \
  -Dexec.args="-Dai.djl.offline=true -Xmx1g -classpath %classpath io.engagementscorer.faults.FaultInjectionRun ${plan} $*"
