#!/usr/bin/env bash
# The bench on a machine with no network and no Node: `bash .device/run.sh` (bench/device.md).
# Built by `node bench/bundle.mjs`, which copies this file to .device/run.sh. Unpacks the carried
# Node and Dawn into a folder under /tmp (the bundle itself stays small), brings the Vulkan loader
# where the machine has none, points Vulkan at the NVIDIA driver when nothing else is set, probes
# the adapter, then runs the bench. Defaults suit a GPU machine lent for a few minutes: our
# webgpu rows and PyTorch on CUDA, one repeat; any BENCH_* variable set by the caller wins.
# .bench/results.json and the log go to $OUT when it is set.
set -euo pipefail
bundle="$(cd "$(dirname "$0")" && pwd)"
work="${BENCH_WORKDIR:-${TMPDIR:-/tmp}/bottleneck-bench}"
mkdir -p "$work"
cp -r "$bundle"/. "$work"/
cd "$work"

unxz_to() { # unxz_to FILE.xz DEST
  [ -s "$2" ] && return 0
  if command -v xz >/dev/null; then xz -dc "$1" >"$2.part"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2.part"; fi
  mv "$2.part" "$2"
}
unxz_to node.xz node && chmod +x node
if [ -f node_modules/webgpu/dist/linux-x64/dawn.node.xz ]; then
  unxz_to node_modules/webgpu/dist/linux-x64/dawn.node.xz node_modules/webgpu/dist/linux-x64/dawn.node
fi

# Dawn needs the Vulkan loader; unpacked here rather than into / (a package unpacked there can break it).
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  if [ -f libvulkan1.deb ]; then
    dpkg -x libvulkan1.deb vulkan
    export LD_LIBRARY_PATH="$work/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    echo "Vulkan loader: carried libvulkan1 ($work/vulkan)"
  else
    echo "Vulkan loader: none on this machine and none carried: webgpu will find no adapter"
  fi
fi
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_icd" ]; then
  export VK_DRIVER_FILES="$nvidia_icd" VK_ICD_FILENAMES="$nvidia_icd"
fi

export BENCH_BACKENDS="${BENCH_BACKENDS:-webgpu}" BENCH_TORCH_CPU="${BENCH_TORCH_CPU:-0}" BENCH_REPEATS="${BENCH_REPEATS:-1}"
echo "node $(./node --version); $(command -v nvidia-smi >/dev/null && nvidia-smi -L | head -1 || echo 'no nvidia-smi')"
echo "adapter: $(./node webgpuProbe.mjs 2>/dev/null || echo 'probe failed')"
echo "BENCH_BACKENDS=$BENCH_BACKENDS BENCH_MODELS=${BENCH_MODELS:-all} BENCH_REPEATS=$BENCH_REPEATS BENCH_EPOCHS=${BENCH_EPOCHS:-3} BENCH_TORCH_CPU=$BENCH_TORCH_CPU"
status=0
./node bench.cjs 2>&1 | tee bench.log || status=$?
if [ -n "${OUT:-}" ]; then
  cp bench.log "$OUT/" 2>/dev/null || true
  cp .bench/results.json "$OUT/" 2>/dev/null || true
fi
exit "$status"
