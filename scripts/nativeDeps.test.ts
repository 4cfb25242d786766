import { describe, expect, it } from 'vitest';

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
});
