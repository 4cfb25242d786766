import { describe, expect, it } from 'vitest';
import { seededRandom } from '../train/random';
import { pca2d } from './pca';

describe('pca2d', () => {
  it('recovers the axes of data stretched along known directions', () => {
    const random = seededRandom(1);
    const n = 2000;
    const d = 4;
    const data = new Float32Array(n * d);
    // Variance 9 along (1,1,0,0)/√2, 1 along (0,0,1,0), tiny elsewhere.
    for (let i = 0; i < n; i++) {
      const a = (random() - 0.5) * Math.sqrt(12) * 3;
      const b = (random() - 0.5) * Math.sqrt(12);
      data.set([a / Math.SQRT2 + 5, a / Math.SQRT2 - 2, b, (random() - 0.5) * 0.01], i * d);
    }
    const p = pca2d(data, n, d);
    const mean = [0, 1, 2].map((j) => Array.from({ length: n }, (_, i) => data[i * d + j]!).reduce((s, v) => s + v, 0) / n);
    // The first coordinate is the centred projection on (1,1,0,0)/√2, the second on (0,0,1,0),
    // up to sampling noise in the estimated directions.
    const expectedX = Array.from({ length: n }, (_, i) => (data[i * d]! - mean[0]! + (data[i * d + 1]! - mean[1]!)) / Math.SQRT2);
    const expectedY = Array.from({ length: n }, (_, i) => data[i * d + 2]! - mean[2]!);
    const cosine = (u: ArrayLike<number>, v: number[]) => {
      let dot = 0, uu = 0, vv = 0;
      for (let i = 0; i < v.length; i++) {
        dot += u[i]! * v[i]!;
        uu += u[i]! ** 2;
        vv += v[i]! ** 2;
      }
      return Math.abs(dot) / Math.sqrt(uu * vv);
    };
    expect(cosine(p.x, expectedX)).toBeGreaterThan(0.999);
    expect(cosine(p.y, expectedY)).toBeGreaterThan(0.999);
    for (let i = 0; i < 20; i++) expect(Math.abs(p.x[i]!)).toBeCloseTo(Math.abs(expectedX[i]!), 1);
    expect(p.explained[0]).toBeGreaterThan(0.85);
    expect(p.explained[0] + p.explained[1]).toBeGreaterThan(0.99);
  });
});
