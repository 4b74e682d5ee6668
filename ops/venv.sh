#!/usr/bin/env bash
# Creates ops/.venv from ops/requirements.txt, or refreshes it when requirements.txt changed
# (its sha256 is stamped inside the venv). Safe to run any number of times, from any directory.
#
#   ops/venv.sh [REQUIREMENTS VENV]
#
# With arguments it does the same for another requirements file and venv (paths relative to the
# repository root or absolute): the integration tests' client tools live in ops/.venv-clients,
# from ops/requirements-clients.txt.
set -euo pipefail

ops_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$ops_dir")"
venv="$ops_dir/.venv"
requirements="$ops_dir/requirements.txt"
if [[ $# -eq 2 ]]; then
  requirements="$(cd "$root" && realpath -m "$1")"
  venv="$(cd "$root" && realpath -m "$2")"
elif [[ $# -ne 0 ]]; then
  echo "usage: $0 [REQUIREMENTS VENV]" >&2
  exit 2
fi
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ -f "$stamp" && -x "$venv/bin/python" && "$(cat "$stamp")" == "$wanted" ]]; then
  echo "[venv] $venv matches $(basename "$requirements")"
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

echo "[venv] installing $(basename "$requirements") into $venv (the exporter's torch is large: the first time takes minutes)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
echo "$wanted" > "$stamp"
echo "[venv] ready"
