/**
 * Exact k nearest neighbours by brute force over every pair (each computed once): for the code sizes
 * of an autoencoder (2 to a few hundred) and maps of up to 10,000 points it is faster than UMAP's
 * approximate search in JavaScript, and exact. Used by t-SNE's affinities and UMAP's graph.
 */
export interface Neighbours {
  k: number;
  /** n × k, nearest first. */
  indices: Int32Array;
  /** n × k squared Euclidean distances, nearest first. */
  distances: Float64Array;
}

export function nearestNeighbours(data: ArrayLike<number>, n: number, d: number, k: number, onProgress: (done: number, total: number) => void = () => {}): Neighbours {
  k = Math.max(0, Math.min(k, n - 1));
  // One max-heap of the best k so far per point (flat: point i's heap at i·k).
  const heapD = new Float64Array(n * k).fill(Infinity);
  const heapI = new Int32Array(n * k).fill(-1);
  const push = (i: number, j: number, v: number) => {
    const base = i * k;
    if (v >= heapD[base]!) return;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= k) break;
      const m = l + 1 < k && heapD[base + l + 1]! > heapD[base + l]! ? l + 1 : l;
      if (heapD[base + m]! <= v) break;
      heapD[base + c] = heapD[base + m]!;
      heapI[base + c] = heapI[base + m]!;
      c = m;
    }
    heapD[base + c] = v;
    heapI[base + c] = j;
  };
  const rows = Float64Array.from(data);
  if (k > 0) {
    for (let i = 0; i < n; i++) {
      const a = i * d;
      for (let j = i + 1; j < n; j++) {
        const b = j * d;
        let s = 0;
        for (let t = 0; t < d; t++) {
          const v = rows[a + t]! - rows[b + t]!;
          s += v * v;
        }
        push(i, j, s);
        push(j, i, s);
      }
      if (i % 200 === 199 || i === n - 1) onProgress(i + 1, n);
    }
  }
  // Each heap sorted, nearest first.
  const indices = new Int32Array(n * k);
  const distances = new Float64Array(n * k);
  const order = Array.from({ length: k }, (_, e) => e);
  for (let i = 0; i < n; i++) {
    const base = i * k;
    order.sort((x, y) => heapD[base + x]! - heapD[base + y]!);
    order.forEach((e, r) => {
      indices[base + r] = heapI[base + e]!;
      distances[base + r] = heapD[base + e]!;
    });
    for (let r = 0; r < k; r++) order[r] = r;
  }
  return { k, indices, distances };
}
