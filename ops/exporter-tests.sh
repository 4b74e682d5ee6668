#!/usr/bin/env bash
# Runs the exporter's tests (ops/tests) in ops/.venv, bootstrapping the venv first.
# Maven runs this in the integration-test phase; extra arguments go to pytest.
set -euo pipefail

ops_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$ops_dir/venv.sh"
cd "$ops_dir"
exec .venv/bin/python -m pytest tests "$@"
