/**
 * One UMAP or t-SNE layout of a map's codes, in its own thread: the main thread stays free and the
 * inference worker keeps answering decodes meanwhile. Cancelling terminates the thread, which stops
 * even a step that never yields (UMAP's neighbour search).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { UMAP } from 'umap-js';
import { nearestNeighbours } from '../../core/latent/neighbours';
import { tsne } from '../../core/latent/tsne';
import { seededRandom } from '../../core/train/random';

export interface ProjectionJob {
  method: 'umap' | 'tsne';
  codes: Float32Array;
  n: number;
  d: number;
  seed: number;
}

export type FromProjectionWorker =
  | { type: 'progress'; phase: string; done: number; total: number }
  | { type: 'done'; x: Float32Array; y: Float32Array }
  | { type: 'error'; message: string };

const port = parentPort!;
const post = (message: FromProjectionWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

function umap({ codes, n, d, seed }: ProjectionJob): { x: Float32Array; y: Float32Array } {
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
  let lastNeighbours = 0;
  const knn = nearestNeighbours(codes, n, d, nNeighbors - 1, (done, total) => {
    const now = Date.now();
    if (now - lastNeighbours < 200 && done < total) return;
    lastNeighbours = now;
    post({ type: 'progress', phase: 'neighbours', done, total });
  });
  const near = (i: number) => [knn.indices.subarray(i * knn.k, (i + 1) * knn.k), knn.distances.subarray(i * knn.k, (i + 1) * knn.k)] as const;
  model.setPrecomputedKNN(
    Array.from({ length: n }, (_, i) => [i, ...near(i)[0]]),
    Array.from({ length: n }, (_, i) => [0, ...Array.from(near(i)[1], Math.sqrt)]),
  );
  // umap-js builds its fuzzy graph without a callback: about half the time for 10,000 points.
  post({ type: 'progress', phase: 'graph', done: 0, total: 1 });
  const epochs = model.initializeFit(data);
  let last = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    model.step();
    const now = Date.now();
    if (now - last > 200 || epoch === epochs - 1) {
      last = now;
      post({ type: 'progress', phase: 'layout', done: epoch + 1, total: epochs });
    }
  }
  model.getEmbedding().forEach(([px, py], i) => {
    x[i] = px!;
    y[i] = py!;
  });
  return { x, y };
}

function run(job: ProjectionJob): { x: Float32Array; y: Float32Array } {
  if (job.method === 'umap') return umap(job);
  let last = 0;
  return tsne(job.codes, job.n, job.d, {
    seed: job.seed,
    onProgress: (phase, done, total) => {
      const now = Date.now();
      if (now - last < 200 && done < total) return;
      last = now;
      post({ type: 'progress', phase, done, total });
    },
  });
}

try {
  const { x, y } = run(workerData as ProjectionJob);
  post({ type: 'done', x, y }, [x.buffer as ArrayBuffer, y.buffer as ArrayBuffer]);
} catch (err) {
  post({ type: 'error', message: (err as Error).message });
}
