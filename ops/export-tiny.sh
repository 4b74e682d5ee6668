#!/usr/bin/env bash
# Regenerates the committed tiny bundle models/tiny (version tiny-1) and verifies it.
# The output is deterministic: fixed seeds, and a fixed created_at (tests/conftest.py has the
# same value), so rerunning without code changes reproduces the same bundle.
set -euo pipefail

ops_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bundle="$(dirname "$ops_dir")/models/tiny"
"$ops_dir/venv.sh"
cd "$ops_dir"
.venv/bin/python -m exporter export --size tiny --version tiny-1 \
  --created-at 2026-11-24T00:00:00Z --out "$bundle"
.venv/bin/python -m exporter verify "$bundle"
