/**
 * For tests: tfjs's webgpu backend on SwiftShader, Chromium's software Vulkan driver, so every
 * kernel runs on a machine without a GPU (slowly: keep shapes small). The vitest config says
 * whether the driver and the Vulkan loader are installed; where they are, a failure to start fails.
 */
import * as tf from '@tensorflow/tfjs-core';
import { inject } from 'vitest';
import type { BackendAdapter } from '../api';
import { installGpu, startWebGpu, type GpuLike } from './webgpu';

/** The ICD file to point Vulkan at, or why the webgpu tests skip here. */
export function swiftShader(): { icd: string } | { skip: string } {
  return inject('webgpuTests');
}

/** A test name that says why it skips, where it does. */
export function webgpuTestName(name: string): string {
  const setup = swiftShader();
  return 'skip' in setup ? `${name} (skipped: ${setup.skip})` : name;
}

export const noSwiftShader = 'skip' in swiftShader();

let started: Promise<BackendAdapter> | null = null;

/** Points Vulkan at SwiftShader for this process and the workers and children it starts; call only where it is installed. */
export function pointVulkanAtSwiftShader(): void {
  const setup = swiftShader();
  if ('skip' in setup) throw new Error(setup.skip);
  process.env.VK_ICD_FILENAMES = setup.icd;
}

/** Makes webgpu on SwiftShader the current tfjs backend (one device per test file); call only where it is installed. */
export async function useSwiftShader(): Promise<BackendAdapter> {
  started ??= start();
  const adapter = await started;
  if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend is gone');
  return adapter;
}

async function start(): Promise<BackendAdapter> {
  pointVulkanAtSwiftShader();
  const { create, globals } = await import('webgpu');
  const gpu = create([]) as unknown as GpuLike;
  installGpu(gpu, globals);
  const started = await startWebGpu(gpu, { allowSoftware: true, api: 'Vulkan' });
  if ('skipped' in started) throw new Error(`SwiftShader is installed but webgpu did not start: ${started.skipped}`);
  return started.adapter;
}
