#!/usr/bin/env bash
# Benchmarks precision variants of one model in one run: for each bundle its declared precision
# and fidelity (from its manifest), then ops/bench.sh (the model ceiling at batch 1, 8 and 32 and
# HTTP /predict at concurrency 1, 8 and 32), then the FLOPs of one post (ops/gpu_bench.py's count,
# on the CPU) and this machine's GEMM rate in fp32 and bf16 (torch.mm, one thread per core), so
# that the figures can be set against the arithmetic limit.
#
# Usage: ops/precision-bench.sh [seconds per measurement (default 15)] [bundle-dir ...]
#   default bundles: models/vit-b-32 models/vit-b-32-bf16 models/vit-b-32-int8, made with
#   PYTHONPATH=ops ops/.venv/bin/python -m exporter export --size vit-b-32 [--precision P] --out DIR
# Every variant is measured. One whose declared rank correlation reaches the service's default
# MIN_RANK_CORRELATION (0.999) is served as the service would load it; one under it (which the
# default floor refuses at load) is served with the floor at 0, and its header says so.
# Run nothing else heavy meanwhile: the bundles are measured one after the other on the same cores.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
shift || true
bundles=("$@")
if [ "${#bundles[@]}" -eq 0 ]; then
  bundles=(models/vit-b-32 models/vit-b-32-bf16 models/vit-b-32-int8)
fi
python=ops/.venv/bin/python
default_floor=0.999  # ServiceConfig.DEFAULT_MIN_RANK_CORRELATION
if [ ! -x "$python" ]; then
  echo "ops/.venv is missing: run ops/venv.sh (the test command does too)" >&2
  exit 2
fi
for bundle in "${bundles[@]}"; do
  if [ ! -f "$bundle/manifest.json" ]; then
    echo "no bundle at $bundle (see the usage at the top of $0)" >&2
    exit 2
  fi
done

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# CPU flags: $(grep -m1 -o -w -E 'avx512_bf16|amx_bf16|avx512_vnni' /proc/cpuinfo | sort -u | xargs || true)"
for bundle in "${bundles[@]}"; do
  echo
  echo "## $bundle"
  floor=()
  if ! "$python" - "$bundle" "$default_floor" <<'EOF'
import json, sys
manifest = json.load(open(sys.argv[1] + "/manifest.json"))
default_floor = sys.argv[2]
fidelity = manifest.get("fidelity")
print(f"precision {manifest.get('precision', 'fp32')}, version {manifest['version']}")
if fidelity:
    print("fidelity against fp32: " + ", ".join(f"{key} {value}" for key, value in fidelity.items()))
    refused = fidelity["rank_correlation"] < float(default_floor)
    print(f"at the default MIN_RANK_CORRELATION={default_floor} the service "
          + ("refuses this bundle (measured with the floor at 0)" if refused else "loads it"))
    sys.exit(1 if refused else 0)
print("fidelity against fp32: (the fp32 reference itself)")
EOF
  then
    floor=(MIN_RANK_CORRELATION=0)
  fi
  env "${floor[@]}" ops/bench.sh "$bundle" "$seconds"
done

echo
echo "## FLOPs of one post (3 comments), counted by torch.utils.flop_counter"
flops_json="$(mktemp)"
"$python" ops/gpu_bench.py "${bundles[0]}" --device cpu --modules post --dtypes fp32 \
  --batch-sizes 1 --seconds 0.1 --min-iterations 1 --warmup 1 --json "$flops_json" > /dev/null
"$python" - "$flops_json" <<'EOF'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
post = next(row for row in rows if row["module"] == "post" and row.get("flops"))
print(f"{post['flops'] / post['batch'] / 1e9:.2f} GFLOP per post")
EOF
rm -f "$flops_json"

echo
echo "## GEMM rate of this machine (torch.mm 2048x2048, $(nproc) threads)"
"$python" - <<'EOF'
import os, time, torch
torch.set_num_threads(os.cpu_count())
n = 2048
for dtype in (torch.float32, torch.bfloat16):
    a = torch.randn(n, n).to(dtype)
    b = torch.randn(n, n).to(dtype)
    for _ in range(3):
        torch.mm(a, b)
    runs = []
    for _ in range(10):
        start = time.perf_counter()
        torch.mm(a, b)
        runs.append(time.perf_counter() - start)
    median = sorted(runs)[len(runs) // 2]
    print(f"{str(dtype).removeprefix('torch.')}: {2 * n ** 3 / median / 1e9:.0f} GFLOP/s (median of 10)")
EOF
