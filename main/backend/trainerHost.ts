import type { Worker } from 'node:worker_threads';
import type { BackendInfo, BackendPreference } from '../../core/api';
import { isTerminal, type TrainEvent } from '../../core/train/events';
import { endWorker } from './workers/end';
import { startWorker } from './workers/entry';
import type { FromWorker, LoopPosition, ToWorker } from './workerProtocol';

export type TrainJob = Omit<Extract<ToWorker, { type: 'train' }>, 'type'>;

/** What the worker is started with. */
export interface TrainerWorkerData {
  preference: BackendPreference;
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
  private backendListeners = new Set<(backend: BackendInfo) => void>();
  /** Set when the worker's GPU failed: the next run starts a fresh worker, which chooses its backend again. */
  private restartDue = false;
  backend: BackendInfo | null = null;

  constructor(
    /** Where the worker is to train (BOTTLENECK_BACKEND, read by the worker, overrides it). */
    public preference: BackendPreference = 'auto',
  ) {}

  /** Told each time a worker has chosen its backend (at start, after a restart). */
  onBackend(listener: (backend: BackendInfo) => void): () => void {
    this.backendListeners.add(listener);
    return () => this.backendListeners.delete(listener);
  }

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
    const worker = startWorker('trainWorker', { preference: this.preference } satisfies TrainerWorkerData);
    if (!worker) return Promise.reject(new Error('the training worker is missing from this build (trainWorker.cjs)'));
    this.worker = worker;
    this.ready = new Promise<BackendInfo>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          this.backend = message.backend;
          resolve(message.backend);
          for (const listener of this.backendListeners) listener(message.backend);
        } else if (message.type === 'device-fault') {
          this.restartDue = true;
        } else if (message.type === 'fatal') {
          reject(new Error(message.message));
        } else if (message.type === 'position') {
          this.positionQueries.get(message.id)?.(message.position);
          this.positionQueries.delete(message.id);
        } else if (message.type === 'event') {
          // Only the active run's end frees the trainer: a late event of an earlier run must not.
          if (isTerminal(message.event) && message.event.runId === this.activeRunId) this.activeRunId = null;
          this.emit(message.event);
        }
      });
      const died = (what: string) => {
        const cause = this.abortReason ?? what;
        this.abortReason = null;
        reject(new Error(`the trainer could not start: ${cause}`));
        this.answerPositions();
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

  /**
   * Ends the worker and starts a new one with `preference`: the backend is chosen again. Refused
   * while a run trains. Resolves with the backend the new worker chose.
   */
  async restart(preference = this.preference): Promise<BackendInfo> {
    if (this.activeRunId) throw new Error(`run ${this.activeRunId} is training: change the backend once it ends`);
    this.preference = preference;
    this.restartDue = false;
    await this.dispose();
    this.backend = null;
    return this.start();
  }

  async train(job: TrainJob): Promise<void> {
    if (this.activeRunId) throw new Error(`a run is already training (${this.activeRunId}): stop it first`);
    this.activeRunId = job.runId;
    try {
      // A worker whose GPU failed keeps a broken device: a fresh one finds the GPU again, or the CPU.
      if (this.restartDue) {
        this.restartDue = false;
        await this.dispose();
        this.activeRunId = job.runId;
        this.backend = null;
      }
      await this.start();
    } catch (err) {
      this.activeRunId = null;
      throw err;
    }
    this.send({ type: 'train', ...job });
  }

  stop(runId: string): boolean {
    return this.control(runId, 'stop');
  }

  pause(runId: string): boolean {
    return this.control(runId, 'pause');
  }

  resume(runId: string): boolean {
    return this.control(runId, 'resume');
  }

  /**
   * Ends the worker at once, mid-batch: for a run that no longer answers. The run fails with the
   * reason; its finished epochs stay on disk and it can be continued from its last checkpoint.
   */
  async abort(reason = 'aborted by the user'): Promise<void> {
    this.abortReason = reason;
    if (this.worker) await endWorker(this.worker);
  }

  private abortReason: string | null = null;

  private positionQueries = new Map<number, (position: LoopPosition | null) => void>();
  private nextQuery = 1;

  /** Where the worker's loop stands (its run, batches begun, whether a pause holds it); null without a worker. */
  position(): Promise<LoopPosition | null> {
    if (!this.worker) return Promise.resolve(null);
    const id = this.nextQuery++;
    return new Promise((resolve) => {
      this.positionQueries.set(id, resolve);
      this.send({ type: 'position', id });
    });
  }

  /** Answers every query still waiting with null: the worker is gone. */
  private answerPositions(): void {
    for (const answer of this.positionQueries.values()) answer(null);
    this.positionQueries.clear();
  }

  private control(runId: string, type: 'stop' | 'pause' | 'resume'): boolean {
    if (this.activeRunId !== runId) return false;
    this.send({ type, runId });
    return true;
  }

  async dispose(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.ready = null;
    this.activeRunId = null;
    this.answerPositions();
    if (worker) {
      worker.removeAllListeners('exit');
      worker.removeAllListeners('error');
      await endWorker(worker);
    }
  }

  private send(message: ToWorker) {
    this.worker?.postMessage(message);
  }

  private emit(event: TrainEvent) {
    for (const listener of this.listeners) listener(event);
  }
}
