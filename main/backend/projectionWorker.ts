/**
 * One UMAP or t-SNE layout of a map's codes, in its own thread: the main thread stays free and the
 * inference worker keeps answering decodes meanwhile. Its host cancels by terminating the thread
 * (terminateOnCancel: nothing native runs here), which stops even a step that never yields (UMAP's
 * neighbour search).
 */
import { UMAP } from 'umap-js';
import { nearestNeighbours } from '../../core/latent/neighbours';
import { tsne } from '../../core/latent/tsne';
import { seededRandom } from '../../core/train/random';
import type { Progress } from './workers/protocol';
import { serveJobs } from './workers/serve';

export interface ProjectionJob {
  method: 'umap' | 'tsne';
  codes: Float32Array;
  n: number;
  d: number;
  seed: number;
}

export type ProjectionOps = { layout: [ProjectionJob, { x: Float32Array; y: Float32Array }] };

function umap({ codes, n, d, seed }: ProjectionJob, progress: Progress): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  // UMAP needs a few neighbours: a map of one or two points is laid out by hand.
  if (n < 3) {
    x.forEach((_, i) => (x[i] = i));
    return { x, y };
  }
  const data = Array.from({ length: n }, (_, i) => Array.from(codes.subarray(i * d, (i + 1) * d)));
  const nNeighbors = Math.min(15, n - 1);
  const model = new UMAP({ nComponents: 2, nNeighbors, random: seededRandom(seed) });
  // Exact neighbours, given to UMAP: faster here than its own approximate search, and with progress.
  // UMAP counts each point as its own nearest neighbour, at distance 0.
  const knn = nearestNeighbours(codes, n, d, nNeighbors - 1, (done, total) => progress('neighbours', done, total));
  const near = (i: number) => [knn.indices.subarray(i * knn.k, (i + 1) * knn.k), knn.distances.subarray(i * knn.k, (i + 1) * knn.k)] as const;
  model.setPrecomputedKNN(
    Array.from({ length: n }, (_, i) => [i, ...near(i)[0]]),
    Array.from({ length: n }, (_, i) => [0, ...Array.from(near(i)[1], Math.sqrt)]),
  );
  // umap-js builds its fuzzy graph without a callback: about half the time for 10,000 points.
  progress('graph', 0, 1);
  const epochs = model.initializeFit(data);
  for (let epoch = 0; epoch < epochs; epoch++) {
    model.step();
    progress('layout', epoch + 1, epochs);
  }
  model.getEmbedding().forEach(([px, py], i) => {
    x[i] = px!;
    y[i] = py!;
  });
  return { x, y };
}

serveJobs<ProjectionOps>({
  layout: (job, { progress }) => (job.method === 'umap' ? umap(job, progress) : tsne(job.codes, job.n, job.d, { seed: job.seed, onProgress: progress })),
});
