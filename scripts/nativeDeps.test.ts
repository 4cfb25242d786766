import { describe, expect, it } from 'vitest';
import { swiftShader } from '../main/backend/engine/testWebgpu';

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

  it('onnxruntime-node runs a model on the CPU, and on WebGPU where Vulkan has SwiftShader', async () => {
    const { OnnxBuilder } = await import('../core/onnx/builder');
    const ort = await import('onnxruntime-node');
    const g = new OnnxBuilder();
    const x = g.input('x', [2, 2]);
    g.output(g.op('Relu', [g.op('MatMul', [x, g.float([1, -1, 2, 0.5], [2, 2])])]), 'y', [2, 2]);
    const model = g.model('native');
    const run = async (provider: string) => {
      const session = await ort.InferenceSession.create(model, { executionProviders: [provider] });
      const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2, 3, -4), [2, 2]) });
      await session.release();
      return Array.from(out.y!.data as Float32Array);
    };
    expect(await run('cpu')).toEqual([5, 0, 0, 0]);
    expect(ort.listSupportedBackends().map((b) => b.name)).toContain('webgpu');
    const setup = swiftShader();
    if ('skip' in setup) return; // loading is what every platform must do; a device needs a Vulkan driver
    process.env.VK_ICD_FILENAMES = setup.icd;
    expect(await run('webgpu')).toEqual([5, 0, 0, 0]);
  });
});
