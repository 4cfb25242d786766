/**
 * PCA to 2-D by power iteration on the covariance matrix (d x d, d = code size): exact enough for a
 * scatter, with no dependency, and O(n·d² + d²·iterations).
 */
export interface Projection2D {
  x: Float32Array;
  y: Float32Array;
  explained: [number, number];
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
    // A fixed sign (largest entry positive) keeps the scatter from flipping between epochs.
    let big = 0;
    for (let a = 0; a < d; a++) if (Math.abs(v[a]!) > Math.abs(v[big]!)) big = a;
    if (v[big]! < 0) for (let a = 0; a < d; a++) v[a] = -v[a]!;
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
  const share = (l: number | undefined) => (total > 0 && l ? l / total : 0);
  return { x, y, explained: [share(eigenvalues[0]), share(eigenvalues[1])] };
}
