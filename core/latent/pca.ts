/**
 * PCA to 2-D by power iteration on the covariance matrix (d x d, d = code size): exact enough for a
 * scatter, with no dependency, and O(n·d² + d²·iterations).
 */
export interface Projection2D {
  x: Float32Array;
  y: Float32Array;
  explained: [number, number];
  /** What the points were projected with: the codes' mean and the two unit axes, as drawn (signs included). */
  basis: PcaBasis;
}

/** A 2-D PCA plane in code space: a point (x, y) of the scatter is mean + x·axes[0] + y·axes[1]. */
export interface PcaBasis {
  mean: number[];
  axes: [number[], number[]];
}

export function pca2d(data: Float32Array, n: number, d: number): Projection2D {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= Math.max(n, 1);
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = data[i * d + j]! - mean[j]!;
    for (let a = 0; a < d; a++) {
      const ra = row[a]!;
      if (ra === 0) continue;
      for (let b = a; b < d; b++) cov[a * d + b]! += ra * row[b]!;
    }
  }
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[b * d + a] = cov[a * d + b]! /= Math.max(n - 1, 1);
  let total = 0;
  for (let a = 0; a < d; a++) total += cov[a * d + a]!;

  const components: Float64Array[] = [];
  const eigenvalues: number[] = [];
  for (let k = 0; k < Math.min(2, d); k++) {
    let v = new Float64Array(d).map((_, i) => 1 + ((i * 7919 + k * 104729) % 13) / 13);
    let lambda = 0;
    for (let iter = 0; iter < 300; iter++) {
      const w = new Float64Array(d);
      for (let a = 0; a < d; a++) {
        let s = 0;
        for (let b = 0; b < d; b++) s += cov[a * d + b]! * v[b]!;
        w[a] = s;
      }
      for (const c of components) {
        let dot = 0;
        for (let a = 0; a < d; a++) dot += w[a]! * c[a]!;
        for (let a = 0; a < d; a++) w[a]! -= dot * c[a]!;
      }
      const norm = Math.hypot(...w);
      if (norm < 1e-12) break;
      for (let a = 0; a < d; a++) w[a]! /= norm;
      let delta = 0;
      for (let a = 0; a < d; a++) delta += Math.abs(w[a]! - v[a]!);
      v = w;
      lambda = norm;
      if (delta < 1e-9) break;
    }
    components.push(v);
    eigenvalues.push(lambda);
  }
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let px = 0;
    let py = 0;
    for (let j = 0; j < d; j++) {
      const c = data[i * d + j]! - mean[j]!;
      px += c * (components[0]?.[j] ?? 0);
      py += c * (components[1]?.[j] ?? 0);
    }
    x[i] = px;
    y[i] = py;
  }
  // An axis has no sign of its own; give each the one that puts the long tail of the points on the positive side.
  const axis = (k: 0 | 1, scores: Float32Array): number[] => {
    const c = components[k];
    if (!c) return new Array<number>(d).fill(0);
    return orient(scores, c) ? Array.from(c, (v) => -v) : Array.from(c);
  };
  const basis: PcaBasis = { mean: Array.from(mean), axes: [axis(0, x), axis(1, y)] };
  const share = (l: number | undefined) => (total > 0 && l ? l / total : 0);
  return { x, y, explained: [share(eigenvalues[0]), share(eigenvalues[1])], basis };
}

/**
 * The code at a point of the scatter: the point lifted back into code space, with every other
 * principal component at the data's mean (the inverse of the projection on its plane).
 */
export function liftPoint(basis: PcaBasis, x: number, y: number): Float32Array {
  const code = new Float32Array(basis.mean.length);
  for (let j = 0; j < code.length; j++) code[j] = basis.mean[j]! + x * basis.axes[0][j]! + y * basis.axes[1][j]!;
  return code;
}

/** A code's point on the scatter (its projection on the plane). */
export function projectCode(basis: PcaBasis, code: ArrayLike<number>): [number, number] {
  let x = 0;
  let y = 0;
  for (let j = 0; j < basis.mean.length; j++) {
    const c = code[j]! - basis.mean[j]!;
    x += c * basis.axes[0][j]!;
    y += c * basis.axes[1][j]!;
  }
  return [x, y];
}

/**
 * Flips an axis's scores (in place) so the points' skew along it is positive; says whether it did. The skew belongs to
 * the points, not to the code's coordinates: negating or rotating the code units, or an epoch
 * that turns the axis a little, leaves the scatter as it was. The largest-loading rule used before
 * flipped whenever two loadings swapped places. A nearly symmetric spread falls back to it.
 */
function orient(scores: Float32Array, component: Float64Array): boolean {
  const n = scores.length;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    m2 += s * s;
    m3 += s * s * s;
  }
  m2 /= Math.max(n, 1);
  m3 /= Math.max(n, 1);
  const skew = m2 > 0 ? m3 / m2 ** 1.5 : 0;
  let flip: boolean;
  if (Math.abs(skew) > 1e-3) flip = skew < 0;
  else {
    let big = 0;
    for (let a = 0; a < component.length; a++) if (Math.abs(component[a]!) > Math.abs(component[big]!)) big = a;
    flip = component[big]! < 0;
  }
  if (flip) for (let i = 0; i < n; i++) scores[i] = -scores[i]!;
  return flip;
}
