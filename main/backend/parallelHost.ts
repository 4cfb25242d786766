/**
 * Starts the follower thread of data-parallel training (core/train/parallel.ts) for backends that run
 * on one core (wasm, cpu). BOTTLENECK_THREADS=1 keeps training on one thread. The bundled app needs
 * parallelWorker.cjs beside the bundle; without it training stays on one thread.
 */
import { Worker } from 'node:worker_threads';
import type { FollowerHandle, FollowerInit, ParallelLauncher } from '../../core/train/parallel';
import { workerFile } from './workerFile';

export const launchFollower: ParallelLauncher = (init: FollowerInit) => {
  if (process.env.BOTTLENECK_THREADS === '1') return Promise.resolve(null);
  const file = workerFile('parallelWorker');
  if (!file) return Promise.resolve(null);
  const worker = new Worker(file, { workerData: init });
  // After start-up a follower's faults reach the leader through the shared failure flag, not here.
  worker.on('error', () => {});
  return new Promise<FollowerHandle | null>((resolve) => {
    worker.once('message', (message: { type: string }) => {
      if (message.type === 'ready') resolve({ close: () => void worker.terminate() });
      else {
        void worker.terminate();
        resolve(null);
      }
    });
    worker.once('error', () => resolve(null));
    worker.once('exit', () => resolve(null));
  });
};
