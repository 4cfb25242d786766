/**
 * The one-class anomaly study (Ruff et al.'s protocol): one model per normal class, trained on that
 * class alone, scores every validation image by its reconstruction error; the ROC AUC of "the other
 * classes (anomalous) against this one (normal)" is the class's figure. Over seeds: each class's mean
 * and spread, and the mean over classes.
 */
import { rocAuc } from '../score';
import type { PlannedSetting } from './plan';
import type { SettingValue } from './settings';

export const CLASSES_SETTING = 'data.classes';
export const SEED_SETTING = 'training.seed';

/** One run's figure: the class it trained on, its seed (null when the seed was not varied) and its AUC. */
export interface OneClassScore {
  runId: string;
  normalClass: number;
  seed: number | null;
  auc: number;
}

export interface OneClassRow {
  normalClass: number;
  className: string;
  /** The AUC under each seed, in the study's seed order; null where that run has no score (yet). */
  aucs: (number | null)[];
  mean: number | null;
  /** Sample standard deviation over seeds; null with fewer than two. */
  std: number | null;
}

export interface OneClassStudy {
  /** The seeds, in the order the columns show them (null: the graph's own seed, not varied). */
  seeds: (number | null)[];
  rows: OneClassRow[];
  /** Each seed's mean over classes; null where a class has no score under that seed. */
  seedMeans: (number | null)[];
  /** The mean of the classes' means. */
  mean: number | null;
  /** The spread of the seeds' means (sample standard deviation); null with fewer than two complete seeds. */
  std: number | null;
  /** The runs' figures the table was made from. */
  scores: OneClassScore[];
}

/** The AUC of every image not of `normalClass` (an anomaly) scoring a higher error than those of it. NaN when either side is empty. */
export function oneClassAuc(errors: ArrayLike<number>, labels: ArrayLike<number>, normalClass: number): number {
  return rocAuc(errors, Array.from(labels, (label) => label !== normalClass));
}

/** The class a run trained on alone, or null when its classes were not varied to a single one. */
export function normalClassOf(values: Record<string, SettingValue>): number | null {
  const classes = values[CLASSES_SETTING];
  return Array.isArray(classes) && classes.length === 1 ? classes[0]! : null;
}

/** The run's seed when the experiment varies it. */
export function seedOf(values: Record<string, SettingValue>): number | null {
  const seed = values[SEED_SETTING];
  return typeof seed === 'number' ? seed : null;
}

/**
 * An experiment is a one-class study when it varies the classes trained on, each run trains on one
 * class, and nothing else is varied but the seed (another varied setting would mix its effect into the table).
 */
export function isOneClassStudy(settings: readonly Pick<PlannedSetting, 'path'>[], runs: readonly { values: Record<string, SettingValue> }[]): boolean {
  if (!settings.some((s) => s.path === CLASSES_SETTING)) return false;
  if (settings.some((s) => s.path !== CLASSES_SETTING && s.path !== SEED_SETTING)) return false;
  return runs.length > 0 && runs.every((r) => normalClassOf(r.values) !== null);
}

/** The per-class table from the runs' figures: classes ascending, seeds in the order first met. */
export function oneClassStudy(scores: readonly OneClassScore[], classNames: readonly string[] | null): OneClassStudy {
  const seeds = [...new Set(scores.map((s) => s.seed))];
  const classes = [...new Set(scores.map((s) => s.normalClass))].sort((a, b) => a - b);
  const aucOf = (c: number, seed: number | null) => scores.find((s) => s.normalClass === c && s.seed === seed)?.auc ?? null;
  const rows = classes.map((c): OneClassRow => {
    const aucs = seeds.map((seed) => aucOf(c, seed));
    const known = aucs.filter((a): a is number => a !== null && Number.isFinite(a));
    return { normalClass: c, className: classNames?.[c] ?? String(c), aucs, mean: meanOf(known), std: sampleStd(known) };
  });
  const seedMeans = seeds.map((_, k) => {
    const column = rows.map((r) => r.aucs[k]);
    return column.every((a): a is number => a !== null && Number.isFinite(a)) ? meanOf(column as number[]) : null;
  });
  const classMeans = rows.flatMap((r) => (r.mean === null ? [] : [r.mean]));
  const complete = seedMeans.filter((m): m is number => m !== null);
  return { seeds, rows, seedMeans, mean: meanOf(classMeans), std: sampleStd(complete), scores: [...scores] };
}

function meanOf(values: readonly number[]): number | null {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : null;
}

function sampleStd(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const mean = meanOf(values)!;
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
}

/** `0.9312 ± 0.0040`, or `0.9312` without a spread, or `-`. */
export function formatAuc(mean: number | null, std: number | null = null): string {
  if (mean === null) return '-';
  return std === null ? mean.toFixed(4) : `${mean.toFixed(4)} ± ${std.toFixed(4)}`;
}
