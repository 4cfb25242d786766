/** Choosing the backend: a GPU only when there is a real one, and always a reason for what was passed over. */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { noSwiftShader, swiftShader, webgpuTestName } from '../../core/train/testWebgpu';
import { missingVulkan, probeAdapter } from './dawn';
import { selectBackend } from './tfBackend';

const icd = process.env.VK_ICD_FILENAMES;
afterEach(() => {
  if (icd === undefined) delete process.env.VK_ICD_FILENAMES;
  else process.env.VK_ICD_FILENAMES = icd;
});

const reasonFor = (info: { skipped: { name: string; reason: string }[] }, name: string) => info.skipped.find((s) => s.name === name)?.reason;

describe('selectBackend', () => {
  it('names a missing Vulkan loader', () => {
    expect(missingVulkan('libvulkan-not-here.so.9', 'linux')).toMatch(/^libvulkan-not-here\.so\.9 is not installed \(the Vulkan loader/);
    expect(missingVulkan('libvulkan-not-here.so.9', 'darwin')).toBeNull();
  });

  it.skipIf(noSwiftShader)(webgpuTestName('falls back to wasm when Vulkan finds no adapter, and says so'), async () => {
    process.env.VK_ICD_FILENAMES = '/nonexistent/no_icd.json';
    const info = await selectBackend(undefined, 'auto');
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(reasonFor(info, 'webgpu')).toBe('no GPU adapter (Vulkan found none)');
    expect(info.adapter).toBeUndefined();
    // The adapter was looked for in a child process: Dawn (and the warnings the Vulkan loader prints
    // without a GPU) never came into this one, whose globals it would have extended.
    expect((globalThis as Record<string, unknown>).GPUBufferUsage).toBeUndefined();
  });

  it.skipIf(noSwiftShader)(webgpuTestName('the probe reports an adapter, or why there is none'), async () => {
    process.env.VK_ICD_FILENAMES = '/nonexistent/no_icd.json';
    expect(await probeAdapter()).toMatchObject({ available: false, noAdapter: true });
    process.env.VK_ICD_FILENAMES = (swiftShader() as { icd: string }).icd;
    expect(await probeAdapter()).toMatchObject({ available: true, adapter: { vendor: 'google', architecture: 'swiftshader' } });
  });

  it.skipIf(noSwiftShader)(webgpuTestName('never chooses a software adapter by itself, but does when webgpu is asked for'), async () => {
    process.env.VK_ICD_FILENAMES = (swiftShader() as { icd: string }).icd;
    const auto = await selectBackend(undefined, 'gpu');
    expect(auto.name).toBe('wasm');
    expect(reasonFor(auto, 'webgpu')).toBe('only a software adapter (SwiftShader): set BOTTLENECK_BACKEND=webgpu to use it');
    const asked = await selectBackend('webgpu');
    expect(asked).toMatchObject({ name: 'webgpu', adapter: { vendor: 'google', architecture: 'swiftshader', fallback: true } });
    expect(tf.getBackend()).toBe('webgpu');
  });

  it('passes over the GPU backends when the CPU is chosen', async () => {
    const info = await selectBackend(undefined, 'cpu');
    expect(info.name).toBe('wasm');
    expect(reasonFor(info, 'tfjs-node-gpu')).toBe('the CPU is chosen in the settings');
    expect(reasonFor(info, 'webgpu')).toBe('the CPU is chosen in the settings');
  });

  it('says which names it knows when given an unknown one', async () => {
    const info = await selectBackend('cuda');
    expect(reasonFor(info, 'cuda')).toBe('unknown backend name (use one of tfjs-node-gpu, webgpu, tfjs-node, wasm, cpu)');
  });
});
