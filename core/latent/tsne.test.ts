import { describe, expect, it } from 'vitest';
import { normalDraws } from './sample';
import { evenSubsample, tsne } from './tsne';

/** `perCluster` points around each of `clusters` far-apart centres in d dimensions. */
function blobs(clusters: number, perCluster: number, d: number, seed = 3) {
  const n = clusters * perCluster;
  const noise = normalDraws(n * d, seed);
  const data = new Float32Array(n * d);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % clusters;
    labels.push(c);
    for (let j = 0; j < d; j++) data[i * d + j] = (j === c ? 10 : 0) + noise[i * d + j]!;
  }
  return { data, labels, n };
}

describe('Barnes-Hut t-SNE', () => {
  it('keeps separate clusters apart: each point is nearer its own cluster’s centre than any other', () => {
    const { data, labels, n } = blobs(4, 60, 8);
    const { x, y } = tsne(data, n, 8, { seed: 1, iterations: 400 });
    const centres = [0, 1, 2, 3].map((c) => {
      const idx = labels.flatMap((l, i) => (l === c ? [i] : []));
      return [idx.reduce((s, i) => s + x[i]!, 0) / idx.length, idx.reduce((s, i) => s + y[i]!, 0) / idx.length] as const;
    });
    let misplaced = 0;
    for (let i = 0; i < n; i++) {
      const dist = centres.map(([cx, cy]) => Math.hypot(x[i]! - cx, y[i]! - cy));
      if (dist.indexOf(Math.min(...dist)) !== labels[i]) misplaced++;
    }
    expect(misplaced).toBe(0);
    for (const v of [...x, ...y]) expect(Number.isFinite(v)).toBe(true);
  });

  it('gives the same map for the same seed, and reports its progress to the last iteration', () => {
    const { data, n } = blobs(3, 30, 5);
    const seen: string[] = [];
    const a = tsne(data, n, 5, { seed: 7, iterations: 120, onProgress: (phase, done, total) => seen.push(`${phase} ${done}/${total}`) });
    const b = tsne(data, n, 5, { seed: 7, iterations: 120 });
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(seen.at(-1)).toBe('layout 120/120');
    expect(seen).toContain('affinities 90/90');
  });

  it('handles points that coincide and tiny inputs', () => {
    const same = new Float32Array(20 * 3).fill(1);
    const { x } = tsne(same, 20, 3, { iterations: 50 });
    for (const v of x) expect(Number.isFinite(v)).toBe(true);
    expect(tsne(new Float32Array(3), 1, 3).x).toHaveLength(1);
  });

  it('subsamples evenly, in order', () => {
    expect(evenSubsample(10, 4)).toEqual([0, 2, 5, 7]);
    expect(evenSubsample(3, 5)).toEqual([0, 1, 2]);
  });
});
