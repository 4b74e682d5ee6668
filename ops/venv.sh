#!/usr/bin/env bash
# Creates ops/.venv from ops/requirements.txt, or refreshes it when requirements.txt changed
# (its sha256 is stamped inside the venv). Safe to run any number of times, from any directory.
set -euo pipefail

ops_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$ops_dir/.venv"
requirements="$ops_dir/requirements.txt"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ -f "$stamp" && -x "$venv/bin/python" && "$(cat "$stamp")" == "$wanted" ]]; then
  echo "[venv] $venv matches requirements.txt"
  exit 0
fi

if [[ ! -x "$venv/bin/python" ]]; then
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "[venv] $python is $("$python" --version 2>&1); the exporter needs Python 3.10+ (set PYTHON)" >&2
    exit 1
  fi
  echo "[venv] creating $venv with $("$python" --version 2>&1)"
  "$python" -m venv "$venv"
fi

echo "[venv] installing requirements.txt into $venv (torch is large: the first time takes minutes)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
echo "$wanted" > "$stamp"
echo "[venv] ready"
