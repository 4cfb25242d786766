/** What Compare exports and reads per epoch: the metrics as CSV, the PNG's name, the stored epoch to show. */
import type { RunDetail } from '../api';

/** Every metric of the compared runs, one row per value. */
export function compareMetricsCsv(details: readonly RunDetail[]): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = ['run_id,run_name,epoch,step,key,value,t'];
  for (const d of details) for (const m of d.metrics) lines.push([d.summary.id, quote(d.summary.name), m.epoch, m.step, m.key, m.value, m.t].join(','));
  return `${lines.join('\n')}\n`;
}

/** The comparison PNG's file name: the runs' ids' last four characters. */
export function comparePngName(details: readonly RunDetail[]): string {
  return `bottleneck-compare-${details.map((d) => d.summary.id.slice(-4)).join('-')}.png`;
}

/** The stored epoch nearest to `epoch` from below (or the first one); null when none is stored. */
export function nearestEpoch(epochs: readonly number[], epoch: number): number | null {
  return [...epochs].reverse().find((e) => e <= epoch) ?? epochs[0] ?? null;
}
