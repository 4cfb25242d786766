/**
 * The results rows of Compare: each run's best validation loss beside its last, with their epochs,
 * and, once a run is pinned as the baseline, every other run's as a difference from it.
 */
import type { MetricPoint } from '../api';
import { runResult } from '../experiments/results';

export interface ResultCell {
  value: number | null;
  epoch: number | null;
  /** The difference from the baseline's value (absent for the baseline itself, or with no baseline). */
  delta?: { absolute: number; relative: number | null };
}

export interface ResultRow {
  key: 'best_val_loss' | 'last_val_loss';
  label: string;
  cells: ResultCell[];
}

/** The last epoch's value of `key` and that epoch (a continued run's repeated epoch: the later record). */
function lastOf(metrics: readonly MetricPoint[], key: string): { value: number | null; epoch: number | null } {
  let last: MetricPoint | null = null;
  for (const m of metrics) if (m.key === key && (last === null || m.epoch >= last.epoch)) last = m;
  return { value: last?.value ?? null, epoch: last?.epoch ?? null };
}

export function compareResults(runs: readonly { metrics: readonly MetricPoint[] }[], baseline: number | null): ResultRow[] {
  const best = runs.map((r) => {
    const res = runResult(r.metrics);
    return { value: res.bestValLoss, epoch: res.bestEpoch };
  });
  const last = runs.map((r) => lastOf(r.metrics, 'val_loss'));
  const withDeltas = (cells: { value: number | null; epoch: number | null }[]): ResultCell[] => {
    const base = baseline === null ? null : cells[baseline]?.value ?? null;
    return cells.map((c, i) =>
      base === null || i === baseline || c.value === null ? c : { ...c, delta: { absolute: c.value - base, relative: base === 0 ? null : (c.value - base) / Math.abs(base) } },
    );
  };
  return [
    { key: 'best_val_loss', label: 'Best val loss (epoch)', cells: withDeltas(best) },
    { key: 'last_val_loss', label: 'Last val loss (epoch)', cells: withDeltas(last) },
  ];
}

/** "+0.0012 (+1.8 %)": a difference from the baseline as Compare shows it. */
export function formatDelta(delta: NonNullable<ResultCell['delta']>): string {
  const sign = (v: number) => (v > 0 ? '+' : v < 0 ? '−' : '±');
  const abs = `${sign(delta.absolute)}${Math.abs(delta.absolute).toFixed(4)}`;
  return delta.relative === null ? abs : `${abs} (${sign(delta.relative)}${Math.abs(delta.relative * 100).toFixed(1)} %)`;
}
