/** What an experiment's table shows of each run, from its metrics: the best validation loss and its epoch, the final loss terms. */
import type { MetricPoint } from '../api';

export interface RunResult {
  bestValLoss: number | null;
  /** The epoch of the best validation loss (the first, when several tie). */
  bestEpoch: number | null;
  /** The last epoch's validation loss and its terms (val_recon_loss, val_sparsity_loss, val_kl_loss) by key. */
  finalTerms: Record<string, number>;
}

/** The validation loss terms, in the order a table shows them. */
export const VALIDATION_TERMS = ['val_loss', 'val_recon_loss', 'val_sparsity_loss', 'val_kl_loss'] as const;

export function runResult(metrics: readonly MetricPoint[]): RunResult {
  let bestValLoss: number | null = null;
  let bestEpoch: number | null = null;
  const lastEpoch = new Map<string, { epoch: number; value: number }>();
  for (const m of metrics) {
    if (!(VALIDATION_TERMS as readonly string[]).includes(m.key)) continue;
    const seen = lastEpoch.get(m.key);
    // A continued run may repeat an epoch: the later record counts.
    if (!seen || m.epoch >= seen.epoch) lastEpoch.set(m.key, { epoch: m.epoch, value: m.value });
    if (m.key === 'val_loss' && Number.isFinite(m.value) && (bestValLoss === null || m.value < bestValLoss)) {
      bestValLoss = m.value;
      bestEpoch = m.epoch;
    }
  }
  const finalTerms = Object.fromEntries(VALIDATION_TERMS.flatMap((k) => (lastEpoch.has(k) ? [[k, lastEpoch.get(k)!.value]] : [])));
  return { bestValLoss, bestEpoch, finalTerms };
}

/** The terms worth a column: val_loss and, where some run's loss has more than the reconstruction, each term some run has non-zero. */
export function termColumns(results: readonly RunResult[]): string[] {
  const nonZero = (k: string) => results.some((r) => (r.finalTerms[k] ?? 0) !== 0);
  if (!nonZero('val_sparsity_loss') && !nonZero('val_kl_loss')) return ['val_loss'];
  return VALIDATION_TERMS.filter((k) => k === 'val_loss' || nonZero(k));
}
