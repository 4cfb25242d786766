import { describe, expect, it } from 'vitest';
import { DeviceWatch, softwareAdapter, type DeviceLike } from './webgpu';

const GPU = { vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3080', fallback: false };

/** A device whose loss and errors the test triggers. */
function fakeDevice() {
  let lose: (info: { reason: string; message: string }) => void = () => {};
  const listeners: ((event: { error: { message: string; constructor: { name: string } } }) => void)[] = [];
  const device: DeviceLike = {
    lost: new Promise((resolve) => (lose = resolve)),
    limits: { maxStorageBufferBindingSize: 2 ** 27, maxBufferSize: 2 ** 28 },
    addEventListener: (_type, listener) => listeners.push(listener),
    destroy: () => lose({ reason: 'destroyed', message: '' }),
  };
  class GPUOutOfMemoryError {
    constructor(readonly message: string) {}
  }
  class GPUValidationError {
    constructor(readonly message: string) {}
  }
  return {
    device,
    lose: (message: string) => lose({ reason: 'unknown', message }),
    outOfMemory: (message: string) => listeners.forEach((l) => l({ error: new GPUOutOfMemoryError(message) })),
    invalid: (message: string) => listeners.forEach((l) => l({ error: new GPUValidationError(message) })),
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('DeviceWatch', () => {
  it('names an out-of-memory error, and keeps the first fault', async () => {
    const fake = fakeDevice();
    const watch = new DeviceWatch(fake.device, GPU);
    expect(watch.fault).toBeNull();
    fake.outOfMemory('Failed to allocate memory for buffer.\n - While calling [Device].CreateBuffer');
    fake.lose('the driver reset');
    await settle();
    expect(watch.fault).toBe('the GPU ran out of memory (Failed to allocate memory for buffer.)');
    expect(watch.maxBufferBytes).toBe(2 ** 27);
  });

  it('names a lost device and a refused shader', async () => {
    const lost = fakeDevice();
    const a = new DeviceWatch(lost.device, GPU);
    lost.lose('VK_ERROR_DEVICE_LOST');
    await settle();
    expect(a.fault).toBe('the GPU device was lost (VK_ERROR_DEVICE_LOST)');
    const refused = fakeDevice();
    const b = new DeviceWatch(refused.device, GPU);
    refused.invalid('Error while parsing WGSL: unresolved identifier');
    expect(b.fault).toBe('the GPU refused work (GPUValidationError: Error while parsing WGSL: unresolved identifier)');
  });
});

describe('softwareAdapter', () => {
  it('tells software renderers from GPUs', () => {
    expect(softwareAdapter(GPU)).toBeNull();
    expect(softwareAdapter({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0', fallback: true })).toBe('SwiftShader');
    expect(softwareAdapter({ vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 19.1.7, 256 bits)', fallback: false })).toBe('llvmpipe');
    expect(softwareAdapter({ vendor: 'intel', architecture: 'gen-12lp', description: '', fallback: true })).toBe('a fallback adapter');
  });
});
