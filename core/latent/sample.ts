/**
 * New codes from a latent space: interpolation between two codes, samples from a Gaussian (the
 * VAE's prior N(0, I), or one fitted to a plain autoencoder's codes), one-dimension traversals and
 * the classic 2-D manifold grid. Pure and seeded, so the same request gives the same pixels.
 */
import { seededRandom } from '../train/random';

/** Straight-line interpolation: `steps` codes from a to b, both ends included. */
export function lerpPath(a: ArrayLike<number>, b: ArrayLike<number>, steps: number): Float32Array[] {
  return Array.from({ length: steps }, (_, i) => {
    const t = steps === 1 ? 0 : i / (steps - 1);
    return Float32Array.from(a, (v, j) => v + t * (b[j]! - v));
  });
}

/**
 * Spherical interpolation (Shoemake's slerp on the codes as vectors): for a Gaussian latent space,
 * where codes concentrate near a shell, the path stays where codes live instead of cutting through
 * the low-density middle. Falls back to a straight line for (anti)parallel codes.
 */
export function slerpPath(a: ArrayLike<number>, b: ArrayLike<number>, steps: number): Float32Array[] {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < a.length; j++) {
    dot += a[j]! * b[j]!;
    na += a[j]! ** 2;
    nb += b[j]! ** 2;
  }
  const cos = na > 0 && nb > 0 ? Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb))) : 1;
  const omega = Math.acos(cos);
  if (Math.sin(omega) < 1e-6) return lerpPath(a, b, steps);
  return Array.from({ length: steps }, (_, i) => {
    const t = steps === 1 ? 0 : i / (steps - 1);
    const wa = Math.sin((1 - t) * omega) / Math.sin(omega);
    const wb = Math.sin(t * omega) / Math.sin(omega);
    return Float32Array.from(a, (v, j) => wa * v + wb * b[j]!);
  });
}

/** Standard normal draws from a seeded generator (Box–Muller), the same on every platform. */
export function normalDraws(count: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const u = Math.max(random(), Number.EPSILON);
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < count) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** A Gaussian over codes: its mean and a factor L of its covariance (Σ = L·Lᵀ), lower-triangular, row-major. */
export interface Gaussian {
  mean: number[];
  /** d×d lower-triangular; for a diagonal fit only the diagonal is non-zero. */
  factor: number[];
  /** 'prior' for N(0, I); 'full' or 'diagonal' for a fit to codes. */
  kind: 'prior' | 'full' | 'diagonal';
}

export function standardNormal(d: number): Gaussian {
  const factor = new Array<number>(d * d).fill(0);
  for (let i = 0; i < d; i++) factor[i * d + i] = 1;
  return { mean: new Array<number>(d).fill(0), factor, kind: 'prior' };
}

/** Above this code size a full covariance costs too much to factor (d³) and gains little: diagonal instead. */
export const FULL_COVARIANCE_MAX = 256;

/**
 * The Gaussian that best fits a set of codes (n×d, row-major): mean and covariance, factored by
 * Cholesky with a small ridge so a degenerate direction (a dead code unit) does not break it.
 */
export function fitGaussian(codes: Float32Array, n: number, d: number): Gaussian {
  const mean = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += codes[i * d + j]! / n;
  const full = d <= FULL_COVARIANCE_MAX;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const ca = codes[i * d + a]! - mean[a]!;
      if (!full) {
        cov[a * d + a]! += ca * ca;
        continue;
      }
      for (let b = 0; b <= a; b++) cov[a * d + b]! += ca * (codes[i * d + b]! - mean[b]!);
    }
  }
  let trace = 0;
  for (let a = 0; a < d; a++) trace += cov[a * d + a]! / Math.max(n - 1, 1);
  const ridge = Math.max(1e-8, (1e-6 * trace) / Math.max(d, 1));
  const factor = new Array<number>(d * d).fill(0);
  if (!full) {
    for (let a = 0; a < d; a++) factor[a * d + a] = Math.sqrt(cov[a * d + a]! / Math.max(n - 1, 1) + ridge);
    return { mean, factor, kind: 'diagonal' };
  }
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) {
      let s = cov[a * d + b]! / Math.max(n - 1, 1) + (a === b ? ridge : 0);
      for (let k = 0; k < b; k++) s -= factor[a * d + k]! * factor[b * d + k]!;
      factor[a * d + b] = a === b ? Math.sqrt(Math.max(s, ridge)) : s / factor[b * d + b]!;
    }
  }
  return { mean, factor, kind: 'full' };
}

/**
 * `n` codes drawn from a Gaussian, with a temperature that scales the spread (1: as fitted; below 1,
 * nearer the mean, cleaner and less varied images). The same seed gives the same codes.
 */
export function sampleGaussian(g: Gaussian, n: number, seed: number, temperature = 1): Float32Array[] {
  const d = g.mean.length;
  const z = normalDraws(n * d, seed);
  return Array.from({ length: n }, (_, i) => {
    const code = new Float32Array(d);
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let b = 0; b <= a; b++) s += g.factor[a * d + b]! * z[i * d + b]!;
      code[a] = g.mean[a]! + temperature * s;
    }
    return code;
  });
}

/**
 * One row per chosen dimension: the base code with that dimension swept from −range·σ to +range·σ
 * (σ that dimension's spread), the others fixed. Shows what each code unit controls.
 */
export function traversal(base: ArrayLike<number>, sigma: ArrayLike<number>, dims: number[], steps: number, range = 3): Float32Array[][] {
  return dims.map((dim) =>
    Array.from({ length: steps }, (_, i) => {
      const code = Float32Array.from(base);
      const t = steps === 1 ? 0 : -range + (2 * range * i) / (steps - 1);
      code[dim] = base[dim]! + t * sigma[dim]!;
      return code;
    }),
  );
}

/** The inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0 || p >= 1) throw new Error(`a probability strictly between 0 and 1, not ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/**
 * The classic figure of a VAE with a 2-D code: an n×n grid of codes at the Gaussian's quantiles
 * ((i + ½)/n), rows from top (high z₂) to bottom, so each cell holds equal prior probability.
 */
export function manifoldGrid(n: number): Float32Array[] {
  const q = Array.from({ length: n }, (_, i) => normalQuantile((i + 0.5) / n));
  const out: Float32Array[] = [];
  for (let row = 0; row < n; row++) for (let col = 0; col < n; col++) out.push(Float32Array.of(q[col]!, q[n - 1 - row]!));
  return out;
}
