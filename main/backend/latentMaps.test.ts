/** model:map's assembly around a stand-in for the inference worker: subsets, the layout cache, notes. */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../core/api';
import { LatentMaps } from './latentMaps';
import type { MapBase, ModelSource } from './modelProtocol';

const N = 50;
const D = 3;

/** A map base of N points whose codes, pixels and labels all say which point they are. */
function base(runDir: string): MapBase {
  return {
    info: { runId: 'r', runName: 'r', checkpoint: 'best', epoch: 2, codeSize: D, variational: false, height: 1, width: 2, channels: 1, classNames: ['a', 'b'], datasetId: 'd', datasetName: 'd', count: 200 },
    indices: Int32Array.from({ length: N }, (_, i) => i * 4),
    labels: Uint8Array.from({ length: N }, (_, i) => i % 2),
    errors: Float32Array.from({ length: N }, (_, i) => i / 100),
    files: Array.from({ length: N }, (_, i) => `${runDir}-${i}.png`),
    images: { count: N, height: 1, width: 2, channels: 1, pixels: Buffer.from(Array.from({ length: N * 2 }, (_, k) => Math.floor(k / 2))).toString('base64') },
    codes: Float32Array.from({ length: N * D }, (_, k) => Math.floor(k / D) + (k % D) / 10),
    x: Float32Array.from({ length: N }, (_, i) => i),
    y: Float32Array.from({ length: N }, (_, i) => -i),
    plane: { mean: [0, 0, 0], axes: [[1, 0, 0], [0, 1, 0]] },
    raw: false,
    total: 200,
  };
}

function setUp() {
  const runDir = mkdtempSync(join(tmpdir(), 'maps-'));
  const source: ModelSource = { runId: 'r', runDir, runName: 'r', datasetId: 'd', datasetName: 'd', checkpoint: 'best' };
  let calls = 0;
  const host = { call: async () => (calls++, base(runDir)) } as unknown as ConstructorParameters<typeof LatentMaps>[0];
  const events: ApiEvent[] = [];
  const maps = new LatentMaps(host, (e) => events.push(e), { maxPoints: 10_000, maxImageBytes: 1e6, tsneMaxPoints: 20 });
  return { runDir, source, maps, events, calls: () => calls };
}

describe('latent maps', () => {
  it('PCA: the base as it is, with its plane, and a note on what the map shows', async () => {
    const { source, maps } = setUp();
    const map = await maps.map(source, 'pca');
    expect([map.x.length, map.indices[1], map.plane?.axes[0], map.fromCache]).toEqual([N, 4, [1, 0, 0], false]);
    expect(map.note).toBe('50 of the 200 validation images (evenly spaced); off the points, the map decodes the code on the PCA plane (the other 1 component at the data’s mean).');
  });

  it('t-SNE over the limit: a subset of the points, each with its own image, code, label and file', async () => {
    const { runDir, source, maps, events } = setUp();
    const map = await maps.map(source, 'tsne');
    expect(map.x).toHaveLength(20);
    expect(map.images.count).toBe(20);
    const pixels = Buffer.from(map.images.pixels, 'base64');
    map.indices.forEach((index, i) => {
      const p = index / 4; // the point's position in the base
      expect([pixels[2 * i], pixels[2 * i + 1]]).toEqual([p, p]);
      expect(map.codes.slice(i * D, (i + 1) * D).map((v) => Math.round(v * 10) / 10)).toEqual([p, p + 0.1, p + 0.2]);
      expect([map.labels[i], map.errors[i], map.files![i]]).toEqual([p % 2, Math.fround(p / 100), `${runDir}-${p}.png`]);
    });
    expect(map.plane).toBeNull();
    expect(map.note).toMatch(/^20 of the 200 validation images \(evenly spaced\): t-SNE’s cost grows faster than the points; t-SNE has no inverse/);
    expect(events.some((e) => e.type === 'job-progress' && e.job === 'map:tsne' && e.phase === 'layout')).toBe(true);
    expect(readdirSync(join(runDir, 'explore'))).toEqual(['tsne-e2.bin']);
    const again = await maps.map(source, 'tsne');
    expect(again.fromCache).toBe(true);
    expect(again.x).toEqual(map.x);
  });

  it('a damaged cache file is computed again, and two requests for one map share the work', async () => {
    const { runDir, source, maps } = setUp();
    const [a, b] = await Promise.all([maps.map(source, 'umap'), maps.map(source, 'umap')]);
    expect(b).toBe(a);
    writeFileSync(join(runDir, 'explore', 'umap-e2.bin'), 'damaged');
    const again = await maps.map(source, 'umap');
    expect(again.fromCache).toBe(false);
    expect(again.x).toEqual(a.x);
  });
});
