/** Turns trainer events into a run's files: metric lines appended per epoch, status and results in run.json. */
import type { BackendInfo, MetricPoint } from '../../../core/api';
import type { TrainEvent } from '../../../core/train/events';
import { appendMetrics, writeEpochArtifacts } from './artifacts';
import type { RunFile } from './format';
import { datasetNameOf } from './naming';

/** The part of the store the writer needs. */
export interface RunRecords {
  dir(runId: string): string;
  read(runId: string): RunFile;
  update(runId: string, patch: Partial<RunFile>): RunFile;
}

export class RunEventWriter {
  /** Metric lines since the last flush, per run: written at each epoch end and at the run's end. */
  private pending = new Map<string, string[]>();

  constructor(private readonly runs: RunRecords) {}

  /** Records one trainer event: metrics to the log, status and results to run.json. */
  record(event: TrainEvent, backend?: BackendInfo): void {
    const id = event.runId;
    const t = Date.now() / 1000;
    const lines = this.pending.get(id) ?? [];
    this.pending.set(id, lines);
    const push = (m: Omit<MetricPoint, 't'>) => lines.push(JSON.stringify({ t, ...m }));
    switch (event.type) {
      case 'dataset-ready': {
        // The full record replaces the id-only one; it keeps a display name either way.
        const before = this.runs.read(id).dataset;
        this.runs.update(id, { dataset: { ...event.dataset, name: event.dataset.name || before.name || datasetNameOf(event.dataset.id) } });
        break;
      }
      case 'run-started': {
        const { config } = this.runs.read(id);
        this.runs.update(id, {
          status: 'running',
          ...(event.effectiveBatchSize !== undefined && { config: { ...config, effectiveBatchSize: event.effectiveBatchSize } }),
          backend: { ...(backend ?? { name: event.backend, skipped: [] }), threads: event.threads },
          // A continued run's current session starts now, not when it was queued.
          ...(event.startEpoch > 0 && { resumedAt: new Date().toISOString() }),
        });
        break;
      }
      case 'run-paused':
        this.runs.update(id, { status: 'paused', pausedAt: new Date().toISOString() });
        break;
      case 'run-resumed':
        this.runs.update(id, { status: 'running', ...this.pauseEnded(id) });
        break;
      case 'batch-end':
        push({ epoch: event.epoch, step: event.step, key: 'loss', value: event.loss });
        break;
      case 'epoch-end': {
        push({ epoch: event.epoch, step: event.step, key: 'epoch_loss', value: event.loss });
        push({ epoch: event.epoch, step: event.step, key: 'val_loss', value: event.val_loss });
        for (const [key, value] of Object.entries(event.metrics)) {
          if (key !== 'loss' && key !== 'val_loss') push({ epoch: event.epoch, step: event.step, key, value });
        }
        push({ epoch: event.epoch, step: event.step, key: 'samples_per_sec', value: event.samplesPerSec });
        this.flush(id);
        writeEpochArtifacts(this.runs.dir(id), event);
        this.runs.update(id, { epochsDone: event.epoch, loss: event.loss, val_loss: event.val_loss, best_val_loss: event.best_val_loss });
        break;
      }
      case 'run-finished':
        this.flush(id);
        this.runs.update(id, { ...this.pauseEnded(id), status: 'finished', endedAt: new Date().toISOString(), loss: event.loss, val_loss: event.val_loss, best_val_loss: event.best_val_loss, stoppedEarly: event.stoppedEarly });
        break;
      case 'run-stopped':
        this.flush(id);
        this.runs.update(id, { ...this.pauseEnded(id), status: 'stopped', endedAt: new Date().toISOString() });
        break;
      case 'run-failed':
        this.flush(id);
        this.runs.update(id, { ...this.pauseEnded(id), status: 'failed', endedAt: new Date().toISOString(), error: event.message });
        break;
    }
  }

  /** A pause that ends now (resumed, or stopped while paused): its length joins the time paused. */
  private pauseEnded(runId: string): Partial<RunFile> {
    const { pausedAt, pausedMs = 0 } = this.runs.read(runId);
    if (!pausedAt) return {};
    const since = Date.parse(pausedAt);
    return { pausedMs: pausedMs + (Number.isFinite(since) ? Math.max(0, Date.now() - since) : 0), pausedAt: undefined };
  }

  private flush(runId: string): void {
    const lines = this.pending.get(runId);
    if (lines) appendMetrics(this.runs.dir(runId), lines);
    this.pending.delete(runId);
  }
}
