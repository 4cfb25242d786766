/**
 * A run.json behind its last checkpoint: the trainer writes the checkpoint before it reports the
 * epoch, so a kill between the two leaves run.json an epoch short (or more, when the disk refused
 * run.json). The checkpoint and the metrics are the truth; run.json follows them.
 */
import { checkpointProgress } from '../checkpoints';
import { readMetrics } from './artifacts';
import type { RunFile } from './format';
import { lastWriteMs } from './listing';

/** The last value of `key` recorded for `epoch` (a continued run may repeat an epoch). */
function valueAt(metrics: { epoch: number; key: string; value: number }[], epoch: number, key: string): number | undefined {
  let found: number | undefined;
  for (const m of metrics) if (m.epoch === epoch && m.key === key) found = m.value;
  return found;
}

/**
 * `run` brought up to its last checkpoint: epochsDone, the losses of that epoch from the metrics,
 * the best loss from the checkpoint, and finished when that was the last epoch. Null when run.json
 * already agrees (or there is no readable checkpoint to go by).
 */
export function reconcileWithCheckpoint(dir: string, run: RunFile): RunFile | null {
  const progress = checkpointProgress(dir);
  if (!progress || progress.epoch <= run.epochsDone) return null;
  const { epoch } = progress;
  const { metrics } = readMetrics(dir);
  const loss = valueAt(metrics, epoch, 'epoch_loss');
  const valLoss = valueAt(metrics, epoch, 'val_loss');
  const finished = epoch >= run.config.epochs;
  return {
    ...run,
    epochsDone: epoch,
    ...(loss !== undefined && { loss }),
    ...(valLoss !== undefined && { val_loss: valLoss }),
    best_val_loss: progress.bestValLoss ?? run.best_val_loss,
    // It ended when it last wrote (the checkpoint of its last epoch).
    ...(finished && { status: 'finished' as const, endedAt: run.endedAt ?? new Date(lastWriteMs(dir)).toISOString(), error: null }),
  };
}
