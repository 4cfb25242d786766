/** The one-class study as the CLI prints it: a row per normal class with its AUC under each seed, the mean ± spread, and the mean over classes. */
import type { OneClassResult } from '../core/api';
import { formatAuc } from '../core/experiments/oneClass';
import { table } from './cliTable';

export function oneClassLines(study: OneClassResult): string[] {
  const seedHeads = study.seeds.map((seed) => (seed === null ? 'AUC' : `AUC SEED ${seed}`));
  const rows = [['CLASS', 'NAME', ...seedHeads, 'MEAN ± STD']];
  for (const r of study.rows) rows.push([String(r.normalClass), r.className, ...r.aucs.map((a) => formatAuc(a)), formatAuc(r.mean, r.std)]);
  rows.push(['', 'mean', ...study.seedMeans.map((m) => formatAuc(m)), formatAuc(study.mean, study.std)]);
  const seeds = study.seeds.length;
  return [
    `one-class study: ROC AUC of the other classes (anomalous) against each class (normal), scored on the validation split of ${study.datasetId}`,
    ...table(rows, (c) => c === 0 || c >= 2),
    study.mean === null
      ? 'mean AUC: no run scored yet'
      : `mean AUC over ${study.rows.length} class${study.rows.length === 1 ? '' : 'es'}: ${formatAuc(study.mean, study.std)}${seeds > 1 ? ` (± the spread of the ${seeds} seeds' means)` : ''}`,
  ];
}
