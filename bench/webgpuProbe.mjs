// `node bench/webgpuProbe.mjs`: does Dawn (npm `webgpu`) find a WebGPU adapter in this environment?
// Prints one JSON line (bench/policy.ts's WebgpuProbe). The bench runs it in a child process with
// its own environment (VK_ICD_FILENAMES and all), so a missing package, a missing Vulkan loader or
// a driver that crashes the process cannot take the bench down with it.
const print = (result) => {
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // Dawn keeps the event loop alive; the answer is all we need.
  process.exit(0);
};

let webgpu;
try {
  webgpu = await import('webgpu');
} catch (err) {
  const code = err?.code;
  print({ available: false, reason: code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' ? 'the webgpu package is not installed' : String(err?.message ?? err).split('\n')[0] });
}
try {
  Object.assign(globalThis, webgpu.globals);
  const gpu = webgpu.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) print({ available: false, reason: 'Dawn found no adapter (no GPU, or no Vulkan driver for it)' });
  const info = adapter.info ?? {};
  print({
    available: true,
    vendor: String(info.vendor ?? ''),
    architecture: String(info.architecture ?? ''),
    description: String(info.description ?? ''),
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false),
  });
} catch (err) {
  print({ available: false, reason: String(err?.message ?? err).split('\n')[0] });
}
