#!/usr/bin/env bash
# The Hallo renderer's GPU figures (issue 12) on a lent GPU machine: seconds of GPU per second
# of video at 512 x 512, float16, 40 (and 25) steps, and peak GPU memory. Run by hand, never in
# CI. Hallo's weights cannot travel there (several GB; a call carries 64 MiB and the machine has
# no network), so this measures Hallo's full-size architecture with RANDOM weights
# (bench/gpu_generation.py --random-full-size): the time and memory are the real architecture's,
# the frames are noise and say nothing about quality.
#
# The machine has python3 with torch, transformers, accelerate, safetensors, numpy, OpenCV,
# Pillow, onnx and onnxruntime, but not diffusers, PyAV, dlib, espeak-ng or sox.
#
# Once, here, in the repository root (.whl/ and .device/ are git-ignored):
#
#   1. The wheels the machine lacks (pure Python but PyAV; Python 3.12 there). diffusers'
#      Requires-Dist beyond what is there: importlib_metadata, lazy-importer. PyAV only because
#      generation/renderers/base.py imports generation.media (nothing here decodes a file).
#        python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
#          --implementation cp --platform manylinux_2_28_x86_64 \
#          --platform manylinux2014_x86_64 -d .whl \
#          diffusers==0.42.1 av==18.1.0 importlib_metadata==10.2.0 lazy-importer==0.1.0
#      (about 42 MB; the tracked tree is about 18 MB: together under the 64 MiB a call takes.)
#   2. The portrait crop, its dlib landmarks and espeak-ng speech, which need dlib/espeak here:
#        .venv/bin/python bench/gpu_generation.py --save-inputs .device/inputs.npz --seconds 4
#
# The device tool sends the checkout its session started in (not a helper's worktree): this
# script, the bench changes, .whl/ and .device/ must be there. Then one device call (the tool's
# `run`, not a shell command):
#   run(command="bash tools/device_gpu_bench.sh", carry=[".whl", ".device"], timeout_s=560)
# It writes $OUT/log.txt and one JSON file per setting. Measured clips are 1.92 s: three
# windows of 16 frames, no padding, each run as long as three windows of a long job.
set -uo pipefail

OUT=${OUT:-/tmp/device-out}
mkdir -p "$OUT"
exec > >(tee "$OUT/log.txt") 2>&1
export PYTHONUNBUFFERED=1 PYTHON=${PYTHON:-python3}

cd "$(dirname "$0")/.."
if [ -d .whl ] && ls .whl/*.whl >/dev/null 2>&1; then
  "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site
fi
[ -f .device/inputs.npz ] || { echo "no .device/inputs.npz: see this script's header"; exit 1; }

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
"$PYTHON" - <<'EOF' || exit 1
import diffusers, torch, transformers
print(f"torch {torch.__version__}, transformers {transformers.__version__}, "
      f"diffusers {diffusers.__version__}, cuda {torch.cuda.is_available()}")
assert torch.cuda.is_available(), "no CUDA device"
EOF

bench() {  # name, then the bench's options
  local name=$1
  shift
  echo "== $name: $*"
  timeout 400 "$PYTHON" bench/gpu_generation.py --random-full-size --inputs .device/inputs.npz \
    --device cuda --json "$@" | tee "$OUT/$name.txt"
  local status=${PIPESTATUS[0]}
  tail -n 1 "$OUT/$name.txt" > "$OUT/$name.json"
  return "$status"
}

# A seconds-long check that the whole path runs before the long measurements.
bench smoke --fp16 --image-size 64 --steps 1 --seconds 0.64 --runs 1 || exit 1
bench fp16-512-40steps --fp16 --image-size 512 --steps 40 --seconds 1.92 --runs 3
bench fp16-512-25steps --fp16 --image-size 512 --steps 25 --seconds 1.92 --runs 3
echo "== done"
