/** A small latent map for tests: three points of two classes, every field filled, patched as a test needs. */
import type { LatentMap } from '../api';

export function testLatentMap(patch: Partial<LatentMap> = {}): LatentMap {
  return {
    runId: 'r',
    epoch: 1,
    method: 'umap',
    x: [0.5, -1.25, 3],
    y: [2, 0.125, -4],
    labels: [1, 0, 1],
    indices: [10, 20, 30],
    errors: [Math.fround(0.01), Math.fround(0.02), Math.fround(0.03)],
    files: null,
    images: { count: 3, height: 1, width: 1, channels: 1, pixels: 'AAAA' },
    codes: [],
    codeSize: 2,
    plane: null,
    raw: false,
    fromCache: false,
    note: null,
    ...patch,
  };
}
