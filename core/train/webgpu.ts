/**
 * tfjs's webgpu backend on a device we request ourselves: so we can read the adapter before training
 * on it (a software adapter is refused unless asked for), and watch the device for faults (lost, out
 * of memory, a failed shader) that tfjs does not report. The GPU object comes from the host: Dawn's
 * Node bindings in the trainer (main/backend/dawn.ts), or navigator.gpu in a browser.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { BackendAdapter } from '../api';
import { registerWebgpuTrainingKernels } from './kernels/register';
import { softwareAdapter } from './adapters';

export { softwareAdapter } from './adapters';

/** The slice of the WebGPU API used here (the DOM typings of this TypeScript lack WebGPU). */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<AdapterLike | null>;
}
interface AdapterLike {
  info: { vendor: string; architecture: string; description: string; isFallbackAdapter?: boolean };
  features: { has(name: string): boolean };
  limits: Record<string, number>;
  requestDevice(descriptor: { requiredFeatures: string[]; requiredLimits: Record<string, number> }): Promise<DeviceLike>;
}
export interface DeviceLike {
  lost: Promise<{ reason: string; message: string }>;
  limits: Record<string, number>;
  addEventListener(type: 'uncapturederror', listener: (event: { error: { message: string; constructor: { name: string } } }) => void): void;
  destroy(): void;
}

export function adapterOf(info: AdapterLike['info']): BackendAdapter {
  return { vendor: info.vendor ?? '', architecture: info.architecture ?? '', description: info.description ?? '', fallback: info.isFallbackAdapter === true };
}


/** Watches a device for what would otherwise fail silently: loss, and errors no one captured. */
export class DeviceWatch {
  private cause: string | null = null;

  constructor(
    readonly device: DeviceLike,
    readonly adapter: BackendAdapter,
  ) {
    void device.lost.then((info) => this.record(info.reason === 'destroyed' ? 'the GPU device was destroyed' : `the GPU device was lost${info.message ? ` (${info.message.trim()})` : ''}`));
    device.addEventListener('uncapturederror', (event) => {
      const kind = event.error.constructor.name;
      const message = event.error.message.split('\n')[0]!.trim();
      this.record(kind === 'GPUOutOfMemoryError' ? `the GPU ran out of memory (${message})` : `the GPU refused work (${kind}: ${message})`);
    });
  }

  /** The most bytes one storage buffer may hold on this device (the dataset is uploaded in chunks of this). */
  get maxBufferBytes(): number {
    const { maxStorageBufferBindingSize, maxBufferSize } = this.device.limits;
    return Math.min(maxStorageBufferBindingSize ?? 2 ** 27, maxBufferSize ?? 2 ** 28);
  }

  /** The first fault seen on the device, in words; null while it is healthy. Later faults follow from it. */
  get fault(): string | null {
    return this.cause;
  }

  private record(cause: string): void {
    this.cause ??= cause;
  }
}

/** The webgpu backend tfjs trains on now, with its watch; null on other backends. */
let current: DeviceWatch | null = null;

export function currentDeviceWatch(): DeviceWatch | null {
  return tf.getBackend() === 'webgpu' ? current : null;
}

/**
 * Requests a high-performance adapter and its device, and makes tfjs's webgpu backend current on
 * it, with our training kernels. Returns why not instead when there is no adapter, or only a software one and `allowSoftware`
 * is false. `api` names the graphics API in the reason (Vulkan, Metal, D3D12).
 */
export async function startWebGpu(gpu: GpuLike, opts: { allowSoftware: boolean; api: string }): Promise<{ adapter: BackendAdapter } | { skipped: string }> {
  const found = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!found) return { skipped: `no GPU adapter (${opts.api} found none)` };
  const adapter = adapterOf(found.info);
  const software = softwareAdapter(adapter);
  if (software && !opts.allowSoftware) return { skipped: `only a software adapter (${software}): set BOTTLENECK_BACKEND=webgpu to use it` };
  // The limits tfjs asks for in its own set-up: the adapter's, so large layers and datasets fit.
  const limits = found.limits;
  const device = await found.requestDevice({
    requiredFeatures: found.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: Object.fromEntries(
      ['maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup'].map((k) => [k, limits[k]!]),
    ),
  });
  const watch = new DeviceWatch(device, adapter);
  // Replace the registration tfjs made at import (its own adapter request) with one on this device.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device as never, found.info as never), 3);
  if (!(await tf.setBackend('webgpu'))) {
    device.destroy();
    return { skipped: 'the webgpu backend failed to initialise' };
  }
  current = watch;
  registerWebgpuTrainingKernels();
  return { adapter };
}

/**
 * Makes a host's WebGPU implementation (Dawn's, in Node) what tfjs's webgpu backend looks for:
 * navigator.gpu and the GPUBufferUsage-style constants as globals.
 */
export function installGpu(gpu: GpuLike, globals: object): void {
  Object.assign(globalThis, globals);
  // Node's navigator has a getter without a setter (assigning one does nothing): add gpu to it.
  if (typeof globalThis.navigator === 'object' && globalThis.navigator) Object.defineProperty(globalThis.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
}
