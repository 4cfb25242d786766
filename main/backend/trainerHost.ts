import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BackendInfo } from '../../core/api';
import type { GraphDoc } from '../../core/graph/types';
import { isTerminal, type TrainEvent } from '../../core/train/events';
import { HERE } from './paths';
import type { FromWorker, ToWorker } from './workerProtocol';

/** The bundled worker sits beside the bundle; from source it runs through tsx. */
function spawnWorker(): Worker {
  const bundled = join(HERE, 'trainWorker.cjs');
  if (existsSync(bundled)) return new Worker(bundled);
  return new Worker(join(HERE, 'trainWorker.dev.mjs'));
}

/**
 * Owns the training worker thread: starts it, sends it one run at a time, and turns a worker that
 * dies mid-run into a run-failed event so the app keeps working.
 */
export class TrainerHost {
  private worker: Worker | null = null;
  private ready: Promise<BackendInfo> | null = null;
  private activeRunId: string | null = null;
  private listeners = new Set<(event: TrainEvent) => void>();
  backend: BackendInfo | null = null;

  onEvent(listener: (event: TrainEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get busyWith(): string | null {
    return this.activeRunId;
  }

  /** Starts the worker (once) and resolves when it has chosen its backend. */
  start(): Promise<BackendInfo> {
    if (this.ready) return this.ready;
    const worker = spawnWorker();
    this.worker = worker;
    this.ready = new Promise<BackendInfo>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          this.backend = message.backend;
          resolve(message.backend);
        } else if (message.type === 'fatal') {
          reject(new Error(message.message));
        } else {
          if (isTerminal(message.event)) this.activeRunId = null;
          this.emit(message.event);
        }
      });
      const died = (cause: string) => {
        reject(new Error(`the trainer could not start: ${cause}`));
        this.worker = null;
        this.ready = null;
        if (this.activeRunId) {
          const runId = this.activeRunId;
          this.activeRunId = null;
          this.emit({ type: 'run-failed', runId, message: `the training worker died: ${cause}` });
        }
      };
      worker.on('error', (err) => died(err.message));
      worker.on('exit', (code) => died(`it exited with code ${code}`));
    });
    // A failed start is reported to whoever awaits; keep it from surfacing as unhandled.
    this.ready.catch(() => {});
    return this.ready;
  }

  async train(runId: string, graph: GraphDoc, datasetId: string): Promise<void> {
    if (this.activeRunId) throw new Error(`a run is already training (${this.activeRunId}): stop it first`);
    this.activeRunId = runId;
    try {
      await this.start();
    } catch (err) {
      this.activeRunId = null;
      throw err;
    }
    this.send({ type: 'train', runId, graph, datasetId });
  }

  stop(runId: string): boolean {
    if (this.activeRunId !== runId) return false;
    this.send({ type: 'stop' });
    return true;
  }

  async dispose(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.ready = null;
    this.activeRunId = null;
    if (worker) {
      worker.removeAllListeners('exit');
      worker.removeAllListeners('error');
      await worker.terminate();
    }
  }

  private send(message: ToWorker) {
    this.worker?.postMessage(message);
  }

  private emit(event: TrainEvent) {
    for (const listener of this.listeners) listener(event);
  }
}
