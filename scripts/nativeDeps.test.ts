import { describe, expect, it } from 'vitest';
import { swiftShader } from '../core/train/testWebgpu';

// Every native or prebuilt dependency must load and work on the Node that runs the tests (CI: Node 24).
// They use N-API, so the same binaries load in Electron's Node.
describe(`native dependencies on Node ${process.version}`, () => {
  it('sharp decodes and resizes an image', async () => {
    const sharp = (await import('sharp')).default;
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer();
    const { data, info } = await sharp(png).resize(2, 2).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([2, 2, 3]);
    expect(Array.from(data.subarray(0, 3))).toEqual([255, 0, 0]);
  });

  it('esbuild transforms TypeScript', async () => {
    const esbuild = await import('esbuild');
    const out = await esbuild.transform('const n: number = 1 + 1; export default n;', { loader: 'ts', format: 'cjs' });
    expect(out.code).toContain('1 + 1');
  });

  it('webgpu (Dawn) loads, and on Vulkan with SwiftShader copies a buffer through the GPU', async () => {
    const { create, globals } = await import('webgpu');
    const gpu = create([]);
    expect(typeof gpu.requestAdapter).toBe('function');
    const setup = swiftShader();
    if ('skip' in setup) return; // loading is what every platform must do; a device needs a Vulkan driver
    process.env.VK_ICD_FILENAMES = setup.icd;
    const adapter = await create([]).requestAdapter();
    expect(adapter?.info.architecture).toBe('swiftshader');
    const device = await adapter!.requestDevice();
    const { GPUBufferUsage, GPUMapMode } = globals as { GPUBufferUsage: Record<string, number>; GPUMapMode: Record<string, number> };
    const source = device.createBuffer({ size: 16, usage: GPUBufferUsage.COPY_SRC! | GPUBufferUsage.COPY_DST! });
    const target = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ! | GPUBufferUsage.COPY_DST! });
    device.queue.writeBuffer(source, 0, new Float32Array([1, 2, 3, 4]));
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(source, 0, target, 0, 16);
    device.queue.submit([encoder.finish()]);
    await target.mapAsync(GPUMapMode.READ!);
    expect(Array.from(new Float32Array(target.getMappedRange()))).toEqual([1, 2, 3, 4]);
    target.unmap();
    device.destroy();
  });
});
