/** Helpers for the run store's tests: a store in a fresh temp folder, and an epoch-end event. */
import { mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { undercomplete } from '../../../core/templates/undercomplete';
import type { EpochEndEvent } from '../../../core/train/events';
import { newRunId } from './naming';
import { RunStore } from './store';

export const tempStore = () => new RunStore(mkdtempSync(join(tmpdir(), 'runs-')));

/** A fresh store holding one new run of the undercomplete template. */
export function storeWithRun(datasetId = 'x') {
  const s = tempStore();
  const id = newRunId();
  const run = s.create(id, undercomplete(), datasetId);
  return { s, id, run };
}

/** Sets a file's modification time (the store reads run.json's and metrics.jsonl's as the last write). */
export function setMtime(file: string, ms: number): void {
  utimesSync(file, new Date(ms), new Date(ms));
}

export const epochEnd = (runId: string, epoch: number): EpochEndEvent => ({
  type: 'epoch-end',
  runId,
  epoch,
  step: epoch * 10,
  loss: 0.5 / epoch,
  val_loss: 0.6 / epoch,
  metrics: { loss: 0.5 / epoch, recon_loss: 0.5 / epoch, val_loss: 0.6 / epoch, val_kl_loss: 0.01 },
  samplesPerSec: 1000,
  elapsedMs: epoch * 1000,
  best_val_loss: 0.6 / epoch,
  improved: true,
  latent: { method: 'raw', x: [0], y: [1], labels: [0] },
  recon: { height: 1, width: 1, channels: 1, originals: [[0]], reconstructions: [[1]], labels: [0] },
});
