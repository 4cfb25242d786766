#!/usr/bin/env bash
# The bench on a machine with no network and no Node: `bash .device/run.sh` (bench/device.md).
# Built by `node bench/bundle.mjs`, which copies this file to .device/run.sh. Unpacks the carried
# Node and ONNX Runtime into a folder under /tmp (the bundle itself stays small), brings the Vulkan
# loader where the machine has none, points Vulkan at the NVIDIA driver when nothing else is set,
# says which GPU the app sees and whether a CUDA provider can run, then runs the bench. Defaults
# suit a GPU machine lent for a few minutes: cuda (skipped with its reason when the provider is
# missing), our webgpu rows and cpu rows for reference, PyTorch on CUDA as its own column, one
# repeat; any BENCH_* variable set by the caller wins. The log (as it is written) and
# .bench/results.json go to $OUT when it is set.
set -euo pipefail
bundle="$(cd "$(dirname "$0")" && pwd)"
work="${BENCH_WORKDIR:-${TMPDIR:-/tmp}/bottleneck-bench}"
mkdir -p "$work"
cp -r "$bundle"/. "$work"/
cd "$work"
# Straight into $OUT, so a run cut short by its timeout still brings its log back.
log="${OUT:+$OUT/}bench.log"
exec > >(tee "$log") 2>&1

unxz_to() { # unxz_to FILE.xz DEST: always, so nothing is left from an older bundle
  if command -v xz >/dev/null; then xz -dc "$1" >"$2.part"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2.part"; fi
  mv "$2.part" "$2"
}
unxz_to node.xz node && chmod +x node
ortbin=node_modules/onnxruntime-node/bin/napi-v6/linux/x64
for f in libonnxruntime.so.1 onnxruntime_binding.node; do unxz_to "$ortbin/$f.xz" "$ortbin/$f"; done

# The WebGPU provider's Dawn needs the Vulkan loader; unpacked here rather than into / (a package
# unpacked there can break it).
# (ldconfig's list read whole first: grep -q leaving a pipe early fails it under pipefail.)
loaders="$({ ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null || true)"
if ! grep -q 'libvulkan\.so\.1 ' <<<"$loaders"; then
  if [ -f libvulkan1.deb ]; then
    dpkg -x libvulkan1.deb vulkan
    export LD_LIBRARY_PATH="$work/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    echo "Vulkan loader: carried libvulkan1 ($work/vulkan)"
  else
    echo "Vulkan loader: none on this machine and none carried: webgpu will find no adapter"
  fi
else
  echo "Vulkan loader: this machine's"
fi
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_icd" ]; then
  export VK_DRIVER_FILES="$nvidia_icd" VK_ICD_FILENAMES="$nvidia_icd"
fi
echo "Vulkan driver: ${VK_DRIVER_FILES:-${VK_ICD_FILENAMES:-none set, none at $nvidia_icd: the loader searches its default folders}}"

# The CUDA provider is not carried (bench/device.md: it comes from NuGet, ~340 MB). Its CUDA 12 and
# cuDNN 9 libraries may be here inside PyTorch's wheels (site-packages/nvidia/*/lib); where this
# Python also has onnxruntime-gpu of our ONNX Runtime's minor version, its provider libraries are
# linked in beside libonnxruntime.so.1 and tried; otherwise the trainer skips cuda with its reason.
python="${BENCH_PYTHON:-}"
[ -n "$python" ] || for p in /usr/bin/python3 python3; do if command -v "$p" >/dev/null && "$p" -c 'import torch' 2>/dev/null; then python="$p"; break; fi; done
ort_version="$(./node -p 'require("./node_modules/onnxruntime-node/package.json").version')"
cuda_out=""
if [ -n "$python" ]; then
  cuda_out="$("$python" - "$ort_version" <<'PY' || true
import glob, os, re, sys
minor = sys.argv[1].rsplit(".", 1)[0]
site = [p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and os.path.isdir(p)]
dirs = sorted({os.path.dirname(f) for s in site for f in glob.glob(os.path.join(s, "nvidia", "*", "lib", "lib*.so*"))})
need = ["libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12", "libcufft.so.11", "libcurand.so.10", "libcudnn.so.9"]
missing = [n for n in need if not any(os.path.exists(os.path.join(d, n)) for d in dirs)]
ep, ep_note = "", "no onnxruntime-gpu in this Python"
for s in site:
    capi = os.path.join(s, "onnxruntime", "capi")
    if os.path.exists(os.path.join(capi, "libonnxruntime_providers_cuda.so")):
        init = open(os.path.join(s, "onnxruntime", "__init__.py")).read()
        version = (re.search(r"__version__\s*=\s*[\"']([^\"']+)", init) or [None, "?"])[1]
        ep = capi if version.rsplit(".", 1)[0] == minor else ""
        ep_note = f"onnxruntime-gpu {version} in this Python" + ("" if ep else f" (not {minor}.x: its provider is not used)")
        break
print(":".join(dirs))
print(("PyTorch's CUDA 12/cuDNN 9 libraries: all there" if dirs and not missing else f"PyTorch's CUDA 12/cuDNN 9 libraries missing: {', '.join(missing)}") + f"; {ep_note}")
print(ep)
PY
)"
fi
cuda_libs="$(sed -n 1p <<<"$cuda_out")" cuda_ep="$(sed -n 3p <<<"$cuda_out")"
rm -f "$ortbin"/libonnxruntime_providers_*.so # links from an earlier run in this folder
echo "CUDA provider: not carried; $(sed -n 2p <<<"$cuda_out" | grep . || echo "no Python with torch to look in")"
if [ -n "$cuda_ep" ]; then
  ln -sf "$cuda_ep/libonnxruntime_providers_cuda.so" "$cuda_ep/libonnxruntime_providers_shared.so" "$ortbin/"
  [ -z "$cuda_libs" ] || export LD_LIBRARY_PATH="$cuda_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "CUDA provider: linked in from $cuda_ep"
fi

export BENCH_BACKENDS="${BENCH_BACKENDS:-cuda,webgpu,cpu}" BENCH_TORCH_CPU="${BENCH_TORCH_CPU:-0}" BENCH_REPEATS="${BENCH_REPEATS:-1}"
echo "node $(./node --version), onnxruntime-node $ort_version; $(command -v nvidia-smi >/dev/null && nvidia-smi -L 2>&1 | sed -n 1p || echo 'no nvidia-smi')"
./node gpuNote.cjs || echo "GPU (gpuInfo): the note failed"
echo "BENCH_BACKENDS=$BENCH_BACKENDS BENCH_MODELS=${BENCH_MODELS:-all} BENCH_REPEATS=$BENCH_REPEATS BENCH_EPOCHS=${BENCH_EPOCHS:-3} BENCH_TORCH_CPU=$BENCH_TORCH_CPU${BENCH_IMAGES:+ BENCH_IMAGES=$BENCH_IMAGES}"
status=0
./node bench.cjs || status=$?
[ -z "${OUT:-}" ] || cp .bench/results.json "$OUT/" 2>/dev/null || true
exit "$status"
