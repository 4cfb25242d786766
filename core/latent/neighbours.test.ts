import { describe, expect, it } from 'vitest';
import { nearestNeighbours } from './neighbours';
import { normalDraws } from './sample';

describe('exact nearest neighbours', () => {
  it('match a full sort of every distance, nearest first', () => {
    const n = 120;
    const d = 5;
    const data = Float32Array.from(normalDraws(n * d, 9));
    const progress: number[] = [];
    const { k, indices, distances } = nearestNeighbours(data, n, d, 7, (done) => progress.push(done));
    expect(k).toBe(7);
    for (let i = 0; i < n; i++) {
      const all = Array.from({ length: n }, (_, j) => j)
        .filter((j) => j !== i)
        .map((j) => ({ j, dist: Array.from({ length: d }, (_, t) => (data[i * d + t]! - data[j * d + t]!) ** 2).reduce((a, b) => a + b, 0) }))
        .sort((a, b) => a.dist - b.dist)
        .slice(0, 7);
      expect(Array.from(indices.subarray(i * 7, (i + 1) * 7))).toEqual(all.map((a) => a.j));
      all.forEach((a, r) => expect(distances[i * 7 + r]).toBeCloseTo(a.dist, 10));
    }
    expect(progress.at(-1)).toBe(n);
  });

  it('asks for no more neighbours than there are other points', () => {
    expect(nearestNeighbours(Float32Array.of(0, 1, 3), 3, 1, 10).indices).toEqual(Int32Array.of(1, 2, 0, 2, 1, 0));
    expect(nearestNeighbours(Float32Array.of(4), 1, 1, 5).k).toBe(0);
  });
});
