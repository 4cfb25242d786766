/** Choosing the provider: a GPU only when there is a real one, and always a reason for what was passed over. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { linuxGpus, softwareVulkan, webgpuAdapter } from './gpuInfo';
import { providerError, providerName, selectProvider } from './providers';
import { missingVulkan } from './swiftShader';
import { noSwiftShader, swiftShader, webgpuTestName } from './testWebgpu';

const icd = process.env.VK_ICD_FILENAMES;
afterEach(() => {
  if (icd === undefined) delete process.env.VK_ICD_FILENAMES;
  else process.env.VK_ICD_FILENAMES = icd;
});

const reasonFor = (info: { skipped: { name: string; reason: string }[] }, name: string) => info.skipped.find((s) => s.name === name)?.reason;

/** A fake root with one render node of `driver` and PCI vendor `vendor`. */
function fakeRoot(driver: string, vendor: string, extra: (root: string, device: string) => void = () => {}): string {
  const root = mkdtempSync(join(tmpdir(), 'gpuinfo-'));
  const device = join(root, 'sys/devices/pci0000:00/0000:01:00.0');
  mkdirSync(join(root, 'sys/bus/pci/drivers', driver), { recursive: true });
  mkdirSync(device, { recursive: true });
  symlinkSync(join(root, 'sys/bus/pci/drivers', driver), join(device, 'driver'));
  writeFileSync(join(device, 'vendor'), `${vendor}\n`);
  mkdirSync(join(root, 'sys/class/drm/renderD128'), { recursive: true });
  symlinkSync(device, join(root, 'sys/class/drm/renderD128/device'));
  extra(root, device);
  return root;
}

describe('the GPU the operating system reports', () => {
  it('names an NVIDIA GPU by its model, an AMD one by its vendor, and ignores render nodes that compute nothing', () => {
    const nvidia = fakeRoot('nvidia', '0x10de', (root) => {
      mkdirSync(join(root, 'proc/driver/nvidia/gpus/0000:01:00.0'), { recursive: true });
      writeFileSync(join(root, 'proc/driver/nvidia/gpus/0000:01:00.0/information'), 'Model: \t\t NVIDIA H200\nIRQ: 42\n');
    });
    expect(linuxGpus(nvidia)).toEqual([{ vendor: 'nvidia', architecture: '', description: 'NVIDIA H200', fallback: false }]);
    expect(linuxGpus(fakeRoot('amdgpu', '0x1002'))).toEqual([{ vendor: 'amd', architecture: '', description: 'amd GPU (amdgpu driver)', fallback: false }]);
    expect(linuxGpus(fakeRoot('vgem', '0x0000'))).toEqual([]);
    expect(webgpuAdapter('linux', {}, fakeRoot('vgem', '0x0000'))).toEqual({ none: 'no GPU found (no render device of a GPU driver in /sys/class/drm)' });
  });

  it('tells a software Vulkan driver the environment forces', () => {
    expect(softwareVulkan({ VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json' })).toBe('SwiftShader');
    expect(softwareVulkan({ VK_DRIVER_FILES: '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json' })).toBe('lavapipe');
    expect(softwareVulkan({})).toBeNull();
    expect(webgpuAdapter('linux', { VK_ICD_FILENAMES: '/x/vk_swiftshader_icd.json' })).toMatchObject({ software: 'SwiftShader', adapter: { fallback: true } });
  });

  it('names a missing Vulkan loader', () => {
    expect(missingVulkan('libvulkan-not-here.so.9', 'linux')).toMatch(/^libvulkan-not-here\.so\.9 is not installed \(the Vulkan loader/);
    expect(missingVulkan('libvulkan-not-here.so.9', 'darwin')).toBeNull();
  });
});

describe('selectProvider', () => {
  it('passes over the GPU providers when the CPU is chosen, each with its reason', async () => {
    const { info, provider } = await selectProvider(undefined, 'cpu');
    expect(info.name).toBe('cpu');
    expect(provider).toMatchObject({ name: 'cpu', target: 'cpu' });
    for (const name of ['cuda', 'dml', 'webgpu']) expect(reasonFor(info, name)).toBe('the CPU is chosen in the settings');
  });

  it('says which names it knows when given an unknown one, and takes the first engine\'s names', async () => {
    const info = (await selectProvider('tpu')).info;
    expect(reasonFor(info, 'tpu')).toBe('unknown backend name (use one of cuda, dml, webgpu, cpu)');
    expect(providerName('wasm')).toBe('cpu');
    expect(providerName('tfjs-node-gpu')).toBe('cuda');
    expect((await selectProvider('wasm')).info.name).toBe('cpu');
  });

  it('falls back to the CPU on a machine without CUDA libraries or a GPU, and says why for each', async () => {
    process.env.VK_ICD_FILENAMES = '/nonexistent/no_icd.json';
    const { info } = await selectProvider(undefined, 'auto');
    expect(info.name).toBe('cpu');
    expect(reasonFor(info, 'cuda')).toMatch(/^CUDA provider not available \(.*\); onnxruntime-node installs|^not built for/);
    expect(reasonFor(info, 'dml')).toBe('Windows only');
    expect(reasonFor(info, 'webgpu')).toMatch(/^no GPU found|^no WebGPU adapter/);
  });

  it.skipIf(noSwiftShader)(webgpuTestName('never chooses a software renderer by itself, but does when webgpu is asked for'), async () => {
    process.env.VK_ICD_FILENAMES = (swiftShader() as { icd: string }).icd;
    const auto = await selectProvider(undefined, 'gpu');
    expect(auto.info.name).toBe('cpu');
    expect(reasonFor(auto.info, 'webgpu')).toBe('only a software renderer (SwiftShader): set BOTTLENECK_BACKEND=webgpu to use it');
    const asked = await selectProvider('webgpu');
    expect(asked.info).toMatchObject({ name: 'webgpu', adapter: { vendor: 'swiftshader', fallback: true } });
    expect(asked.provider.target).toBe('gpu');
  }, 120_000);

  it.skipIf(noSwiftShader)(webgpuTestName('asked for webgpu where Vulkan finds no adapter, it says so and trains on the CPU'), () => {
    // In a fresh process: ONNX Runtime keeps its WebGPU context for the life of a process.
    const script = `import { selectProvider } from ${JSON.stringify(join(import.meta.dirname, 'providers.ts'))}; console.log(JSON.stringify((await selectProvider('webgpu')).info));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent/vk_swiftshader_icd.json' }, encoding: 'utf8', timeout: 60_000 });
    const info = JSON.parse(child.stdout.trim().split('\n').pop()!);
    expect(info.name).toBe('cpu');
    expect(reasonFor(info, 'webgpu')).toMatch(/^no WebGPU adapter \(/);
    // No ONNX Runtime log lines for the providers it passed over (the Vulkan loader's own warnings are its to print).
    expect(child.stderr).not.toMatch(/onnxruntime/);
  }, 120_000);

  it('puts a provider failure in one line without ONNX Runtime\'s source paths', () => {
    const raw = '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters\nstack';
    expect(providerError(new Error(raw))).toBe('adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters');
  });
});
