import { describe, expect, it } from 'vitest';
import { decodeLayout, encodeLayout, type CachedLayout } from './mapFile';

describe('map layout files', () => {
  it('read back what was written, at 12 bytes a point', () => {
    const layout: CachedLayout = {
      method: 'umap',
      epoch: 4,
      indices: Int32Array.from({ length: 1000 }, (_, i) => i * 3),
      x: Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i)),
      y: Float32Array.from({ length: 1000 }, (_, i) => -i / 7),
    };
    const bytes = encodeLayout(layout);
    expect(bytes.length).toBeLessThan(1000 * 12 + 96);
    expect(decodeLayout(bytes)).toEqual(layout);
  });

  it('say what is wrong with a damaged file', () => {
    const bytes = encodeLayout({ method: 'tsne', epoch: 1, indices: Int32Array.of(0, 1), x: Float32Array.of(0, 1), y: Float32Array.of(1, 0) });
    expect(() => decodeLayout(bytes.subarray(0, bytes.length - 2))).toThrow(/truncated/);
    expect(() => decodeLayout(new TextEncoder().encode('BNLP....'))).toThrow(/BNMP/);
  });
});
