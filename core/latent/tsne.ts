/**
 * t-SNE to 2-D, Barnes-Hut (van der Maaten 2014): affinities from each point's 3·perplexity nearest
 * neighbours (exact: neighbours.ts), repulsion through a quadtree, so an iteration
 * costs O(n log n) instead of O(n²). Seeded, so the same codes give the same map. Written here
 * because the npm t-SNE packages are exact (O(n²) per iteration: minutes for a few thousand points).
 */
import { nearestNeighbours } from './neighbours';
import { normalDraws } from './sample';

export interface TsneOptions {
  perplexity?: number;
  iterations?: number;
  /** Barnes-Hut accuracy: a cell this small for its distance counts as one point (0: exact). */
  theta?: number;
  seed?: number;
  /** Called every few iterations; a worker posts it as progress. */
  onProgress?: (phase: 'affinities' | 'layout', done: number, total: number) => void;
}

const EXAGGERATION = 12;
const EXAGGERATION_ITERATIONS = 250;

/** The 2-D embedding of n points of d dimensions (row-major): x and y per point. */
export function tsne(data: ArrayLike<number>, n: number, d: number, options: TsneOptions = {}): { x: Float32Array; y: Float32Array } {
  const perplexity = Math.min(options.perplexity ?? 30, Math.max((n - 1) / 3, 1));
  const iterations = options.iterations ?? 750;
  const theta = options.theta ?? 0.5;
  const progress = options.onProgress ?? (() => {});
  if (n < 2) return { x: new Float32Array(n), y: new Float32Array(n) };
  const { rowStart, cols, vals } = affinities(data, n, d, perplexity, (done) => progress('affinities', done, n));

  const Y = Float64Array.from(normalDraws(2 * n, options.seed ?? 1), (v) => v * 1e-4);
  const update = new Float64Array(2 * n);
  const gains = new Float64Array(2 * n).fill(1);
  const grad = new Float64Array(2 * n);
  const tree = new QuadTree(n);
  const learningRate = Math.max(n / EXAGGERATION, 50);
  for (let iter = 0; iter < iterations; iter++) {
    const exaggeration = iter < EXAGGERATION_ITERATIONS ? EXAGGERATION : 1;
    const momentum = iter < EXAGGERATION_ITERATIONS ? 0.5 : 0.8;
    tree.build(Y, n);
    let sumQ = 0;
    for (let i = 0; i < n; i++) {
      const r = tree.repulsion(Y, i, theta);
      sumQ += r.sumQ;
      grad[2 * i] = -r.fx;
      grad[2 * i + 1] = -r.fy;
    }
    // grad = 4·(exaggeration·attraction − repulsion / Z); the repulsion terms wait for Z.
    for (let k = 0; k < 2 * n; k++) grad[k]! /= sumQ;
    for (let i = 0; i < n; i++) {
      const xi = Y[2 * i]!;
      const yi = Y[2 * i + 1]!;
      let ax = 0;
      let ay = 0;
      for (let e = rowStart[i]!; e < rowStart[i + 1]!; e++) {
        const j = cols[e]!;
        const dx = xi - Y[2 * j]!;
        const dy = yi - Y[2 * j + 1]!;
        const pq = vals[e]! / (1 + dx * dx + dy * dy);
        ax += pq * dx;
        ay += pq * dy;
      }
      grad[2 * i]! += exaggeration * ax;
      grad[2 * i + 1]! += exaggeration * ay;
    }
    let mx = 0;
    let my = 0;
    for (let k = 0; k < 2 * n; k++) {
      const g = 4 * grad[k]!;
      // Delta-bar-delta gains: faster along directions whose gradient keeps its sign.
      gains[k] = Math.sign(g) !== Math.sign(update[k]!) ? gains[k]! + 0.2 : Math.max(gains[k]! * 0.8, 0.01);
      update[k] = momentum * update[k]! - learningRate * gains[k]! * g;
      Y[k]! += update[k]!;
      if (k % 2 === 0) mx += Y[k]!;
      else my += Y[k]!;
    }
    for (let i = 0; i < n; i++) {
      Y[2 * i]! -= mx / n;
      Y[2 * i + 1]! -= my / n;
    }
    if (iter % 10 === 9 || iter === iterations - 1) progress('layout', iter + 1, iterations);
  }
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = Y[2 * i]!;
    y[i] = Y[2 * i + 1]!;
  }
  return { x, y };
}

/**
 * The symmetric joint probabilities P (CSR rows): each point's conditional distribution over its
 * nearest neighbours at the given perplexity, then (p_j|i + p_i|j) / 2n.
 */
function affinities(data: ArrayLike<number>, n: number, d: number, perplexity: number, progress: (done: number) => void) {
  const { k, indices, distances } = nearestNeighbours(data, n, d, Math.floor(3 * perplexity), progress);
  const rows: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  const target = Math.log(perplexity);
  const p = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const dist = distances.subarray(i * k, (i + 1) * k);
    // Binary search on the precision β so the distribution's entropy is ln(perplexity).
    const minD = dist[0] ?? 0;
    let beta = 1;
    let lo = 0;
    let hi = Infinity;
    for (let step = 0; step < 64; step++) {
      let sum = 0;
      let weighted = 0;
      for (let e = 0; e < k; e++) {
        const w = Math.exp(-beta * (dist[e]! - minD));
        p[e] = w;
        sum += w;
        weighted += w * (dist[e]! - minD);
      }
      const entropy = Math.log(sum) + (beta * weighted) / sum;
      for (let e = 0; e < k; e++) p[e]! /= sum;
      if (Math.abs(entropy - target) < 1e-5) break;
      if (entropy > target) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = (beta + lo) / 2;
      }
    }
    for (let e = 0; e < k; e++) {
      const j = indices[i * k + e]!;
      const v = p[e]! / (2 * n);
      rows[i]!.set(j, (rows[i]!.get(j) ?? 0) + v);
      rows[j]!.set(i, (rows[j]!.get(i) ?? 0) + v);
    }
  }
  const rowStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowStart[i + 1] = rowStart[i]! + rows[i]!.size;
  const cols = new Int32Array(rowStart[n]!);
  const vals = new Float64Array(rowStart[n]!);
  for (let i = 0; i < n; i++) {
    let e = rowStart[i]!;
    for (const [j, v] of rows[i]!) {
      cols[e] = j;
      vals[e++] = v;
    }
  }
  return { rowStart, cols, vals };
}

/** Below this depth a cell holding two points splits; past it (points at one place) it keeps them together. */
const MAX_DEPTH = 48;

/** A quadtree over the embedding in flat arrays, rebuilt every iteration. */
class QuadTree {
  private capacity: number;
  private cx!: Float64Array;
  private cy!: Float64Array;
  private half!: Float64Array;
  private mass!: Float64Array;
  private comX!: Float64Array;
  private comY!: Float64Array;
  /** First of 4 children, or -1 for a leaf. */
  private child!: Int32Array;
  /** The point a leaf holds (the first, when points coincide), or -1. */
  private point!: Int32Array;
  private count = 0;
  private readonly stack: Int32Array;

  constructor(n: number) {
    this.capacity = Math.max(16, 4 * n);
    this.allocate(this.capacity);
    this.stack = new Int32Array(4 * MAX_DEPTH + 8);
  }

  private allocate(capacity: number) {
    const grow = <T extends Float64Array | Int32Array>(old: T | undefined, make: (c: number) => T): T => {
      const next = make(capacity);
      if (old) next.set(old);
      return next;
    };
    this.cx = grow(this.cx, (c) => new Float64Array(c));
    this.cy = grow(this.cy, (c) => new Float64Array(c));
    this.half = grow(this.half, (c) => new Float64Array(c));
    this.mass = grow(this.mass, (c) => new Float64Array(c));
    this.comX = grow(this.comX, (c) => new Float64Array(c));
    this.comY = grow(this.comY, (c) => new Float64Array(c));
    this.child = grow(this.child, (c) => new Int32Array(c));
    this.point = grow(this.point, (c) => new Int32Array(c));
    this.capacity = capacity;
  }

  private node(cx: number, cy: number, half: number): number {
    if (this.count === this.capacity) this.allocate(this.capacity * 2);
    const k = this.count++;
    this.cx[k] = cx;
    this.cy[k] = cy;
    this.half[k] = half;
    this.mass[k] = 0;
    this.comX[k] = 0;
    this.comY[k] = 0;
    this.child[k] = -1;
    this.point[k] = -1;
    return k;
  }

  build(Y: Float64Array, n: number) {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      minX = Math.min(minX, Y[2 * i]!);
      maxX = Math.max(maxX, Y[2 * i]!);
      minY = Math.min(minY, Y[2 * i + 1]!);
      maxY = Math.max(maxY, Y[2 * i + 1]!);
    }
    this.count = 0;
    this.node((minX + maxX) / 2, (minY + maxY) / 2, Math.max(maxX - minX, maxY - minY) / 2 + 1e-5);
    for (let i = 0; i < n; i++) this.insert(Y, i);
    // Centres of mass from the sums.
    for (let k = 0; k < this.count; k++) {
      if (this.mass[k]! > 0) {
        this.comX[k]! /= this.mass[k]!;
        this.comY[k]! /= this.mass[k]!;
      }
    }
  }

  private quadrant(k: number, x: number, y: number): number {
    return this.child[k]! + (x > this.cx[k]! ? 1 : 0) + (y > this.cy[k]! ? 2 : 0);
  }

  private insert(Y: Float64Array, i: number) {
    const x = Y[2 * i]!;
    const y = Y[2 * i + 1]!;
    let k = 0;
    for (let depth = 0; ; depth++) {
      this.mass[k]! += 1;
      this.comX[k]! += x;
      this.comY[k]! += y;
      if (this.child[k] === -1) {
        if (this.point[k] === -1) {
          this.point[k] = i;
          return;
        }
        if (depth >= MAX_DEPTH) return;
        // Split: the point it held moves one level down.
        const h = this.half[k]! / 2;
        const first = this.node(this.cx[k]! - h, this.cy[k]! - h, h);
        this.node(this.cx[k]! + h, this.cy[k]! - h, h);
        this.node(this.cx[k]! - h, this.cy[k]! + h, h);
        this.node(this.cx[k]! + h, this.cy[k]! + h, h);
        this.child[k] = first;
        const old = this.point[k]!;
        this.point[k] = -1;
        const ox = Y[2 * old]!;
        const oy = Y[2 * old + 1]!;
        const c = this.quadrant(k, ox, oy);
        this.mass[c] = this.mass[k]! - 1;
        this.comX[c] = this.comX[k]! - x;
        this.comY[c] = this.comY[k]! - y;
        this.point[c] = old;
      }
      k = this.quadrant(k, x, y);
    }
  }

  /** Σ_j q_ij (unnormalised, j ≠ i) and Σ_j q_ij²·(y_i − y_j), cells far enough away summarised. */
  repulsion(Y: Float64Array, i: number, theta: number): { sumQ: number; fx: number; fy: number } {
    const x = Y[2 * i]!;
    const y = Y[2 * i + 1]!;
    let sumQ = 0;
    let fx = 0;
    let fy = 0;
    let top = 0;
    this.stack[top++] = 0;
    const theta2 = theta * theta;
    while (top > 0) {
      const k = this.stack[--top]!;
      let m = this.mass[k]!;
      if (m === 0) continue;
      const leaf = this.child[k] === -1;
      if (leaf && this.point[k] === i) m -= 1;
      if (m === 0) continue;
      const dx = x - this.comX[k]!;
      const dy = y - this.comY[k]!;
      const d2 = dx * dx + dy * dy;
      const width = 2 * this.half[k]!;
      if (leaf || width * width < theta2 * d2) {
        const q = 1 / (1 + d2);
        sumQ += m * q;
        const mult = m * q * q;
        fx += mult * dx;
        fy += mult * dy;
      } else {
        const c = this.child[k]!;
        this.stack[top++] = c;
        this.stack[top++] = c + 1;
        this.stack[top++] = c + 2;
        this.stack[top++] = c + 3;
      }
    }
    return { sumQ, fx, fy };
  }
}

/** Evenly spaced indices: `count` of `n`, first included, in order. */
export function evenSubsample(n: number, count: number): number[] {
  if (count >= n) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.floor((i * n) / count));
}
