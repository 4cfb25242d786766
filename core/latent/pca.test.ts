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

describe('pca2d orientation', () => {
  /** Points in d dimensions: a skewed spread (an exponential) along `axis`, a smaller symmetric one along `second`, a little noise. */
  function cloud(axis: number[], second: number[], n = 1500, seed = 3): Float32Array {
    const random = seededRandom(seed);
    const d = axis.length;
    const data = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const a = -Math.log(1 - random()) * 3;
      const b = (random() - 0.5) * 2 + (random() < 0.2 ? 1.5 : 0);
      for (let j = 0; j < d; j++) data[i * d + j] = a * axis[j]! + b * second[j]! + (random() - 0.5) * 0.05;
    }
    return data;
  }
  const unit = (v: number[]) => v.map((x) => x / Math.hypot(...v));
  const correlation = (u: ArrayLike<number>, v: ArrayLike<number>) => {
    let uv = 0, uu = 0, vv = 0;
    for (let i = 0; i < u.length; i++) {
      uv += u[i]! * v[i]!;
      uu += u[i]! ** 2;
      vv += v[i]! ** 2;
    }
    return uv / Math.sqrt(uu * vv);
  };

  it('keeps the scatter when the code units are negated or rotated (the same points in other coordinates)', () => {
    const d = 4;
    const data = cloud(unit([1, 2, 0.5, 0]), unit([0, -0.25, 1, 0.5]));
    const n = data.length / d;
    const p = pca2d(data, n, d);
    const negated = pca2d(data.map((v) => -v), n, d);
    // A rotation of the code space: a Householder reflection across a fixed direction.
    const h = unit([1, -1, 2, 1]);
    const rotated = new Float32Array(data.length);
    for (let i = 0; i < n; i++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += data[i * d + j]! * h[j]!;
      for (let j = 0; j < d; j++) rotated[i * d + j] = data[i * d + j]! - 2 * dot * h[j]!;
    }
    const turned = pca2d(rotated, n, d);
    for (const other of [negated, turned]) {
      expect(correlation(other.x, p.x)).toBeGreaterThan(0.999);
      expect(correlation(other.y, p.y)).toBeGreaterThan(0.999);
    }
    // The long tail of the skewed axis points right.
    expect(Math.max(...p.x)).toBeGreaterThan(-Math.min(...p.x));
  });

  it('does not flip between two slightly different epochs whose largest loadings swap', () => {
    // Epoch to epoch the main axis turns a little, from (0.70, -0.71) to (0.71, -0.70): which entry is largest swaps.
    const before = cloud(unit([0.7, -0.714, 0.05]), unit([0.3, 0.3, 1]));
    const after = cloud(unit([0.714, -0.7, 0.05]), unit([0.3, 0.3, 1]));
    const a = pca2d(before, before.length / 3, 3);
    const b = pca2d(after, after.length / 3, 3);
    // The same points (same seed), nearly the same projection: not mirrored.
    expect(correlation(a.x, b.x)).toBeGreaterThan(0.99);
    expect(correlation(a.y, b.y)).toBeGreaterThan(0.99);
  });
});
