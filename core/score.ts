/**
 * Anomaly detection by reconstruction error, the pure part: per-class figures, the ROC curve of
 * "held-out classes against the rest" and its area, the extremes, per-pixel error maps, the ranking as CSV.
 */
import type { ScoreResult } from './api';
import { csvField, csvLines, float32Text } from './csv';
import { UNLABELED } from './data/folder';

/** What a run's training saw of its own dataset: its classes by name, and those it trained on (null: all). */
export interface TrainedOn {
  classNames: string[] | null;
  trainedClasses: number[] | null;
}

/**
 * The classes of a scored set the run did not train on, matched by name (another folder with the
 * run's class names is judged the same way): `heldOut`, classes of the run's own dataset that its
 * training left out; `newClasses`, classes its dataset does not have at all (a foreign folder's).
 * Unlabeled images are neither: nothing is known of their class.
 */
export function classRoles(run: TrainedOn, scoredClassNames: string[]): { heldOut: number[]; newClasses: number[] } {
  const heldOut: number[] = [];
  const newClasses: number[] = [];
  if (!run.classNames) {
    // Only the classes' numbers are known: those training left out are held out.
    if (run.trainedClasses) scoredClassNames.forEach((_, c) => !run.trainedClasses!.includes(c) && heldOut.push(c));
    return { heldOut, newClasses };
  }
  const own = new Map(run.classNames.map((name, c) => [name, c]));
  scoredClassNames.forEach((name, c) => {
    if (name === UNLABELED) return;
    const ownClass = own.get(name);
    if (ownClass === undefined) newClasses.push(c);
    else if (run.trainedClasses && !run.trainedClasses.includes(ownClass)) heldOut.push(c);
  });
  return { heldOut, newClasses };
}

/**
 * Which images count as anomalies to find: those of classes not trained on (held out or new) are
 * positives, those of trained classes negatives, unlabeled ones neither (null).
 */
export function anomalyTruth(s: Pick<ScoreResult, 'labels' | 'classNames' | 'heldOut' | 'newClasses'>): (boolean | null)[] {
  const positive = new Set([...s.heldOut, ...s.newClasses]);
  return s.labels.map((label) => (s.classNames[label] === UNLABELED ? null : positive.has(label)));
}

/** The ROC of the images whose truth is known (the unlabeled left out), or null when there are no positives or no negatives. */
export function anomalyRoc(errors: ArrayLike<number>, truth: (boolean | null)[], maxPoints = 200): { auc: number; points: [number, number][] } | null {
  const known = truth.flatMap((t, i) => (t === null ? [] : [i]));
  return roc(
    known.map((i) => errors[i]!),
    known.map((i) => truth[i]!),
    maxPoints,
  );
}

/** How a threshold splits the images whose truth is known: counts, precision, recall (= true positive rate) and false positive rate. */
export interface ThresholdStats {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  /** Of the images above the threshold, the share that are anomalies (null when none is above it). */
  precision: number | null;
  recall: number;
  falsePositiveRate: number;
}

/** An image is called anomalous when its error is above the threshold; null when there are no positives or no negatives. */
export function thresholdStats(errors: ArrayLike<number>, truth: (boolean | null)[], threshold: number): ThresholdStats | null {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  truth.forEach((t, i) => {
    if (t === null) return;
    const over = errors[i]! > threshold;
    if (t) over ? tp++ : fn++;
    else over ? fp++ : tn++;
  });
  if (tp + fn === 0 || fp + tn === 0) return null;
  return { truePositives: tp, falsePositives: fp, falseNegatives: fn, trueNegatives: tn, precision: tp + fp > 0 ? tp / (tp + fp) : null, recall: tp / (tp + fn), falsePositiveRate: fp / (fp + tn) };
}

export interface ClassStats {
  label: number;
  count: number;
  mean: number;
  median: number;
}

/** Count, mean and median of each label's errors, by label. */
export function perClassStats(errors: ArrayLike<number>, labels: ArrayLike<number>): ClassStats[] {
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < errors.length; i++) {
    const list = byLabel.get(labels[i]!);
    if (list) list.push(errors[i]!);
    else byLabel.set(labels[i]!, [errors[i]!]);
  }
  return [...byLabel.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([label, list]) => ({ label, count: list.length, mean: list.reduce((s, v) => s + v, 0) / list.length, median: median(list) }));
}

function median(values: number[]): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Area under the ROC curve of `positive` scoring higher than the rest: the Mann–Whitney U over
 * nPos·nNeg, from ranks with ties averaged (a tie between a positive and a negative counts one half).
 * NaN when either side is empty.
 */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  for (let from = 0; from < order.length; ) {
    let to = from + 1;
    while (to < order.length && scores[order[to]!] === scores[order[from]!]) to++;
    // Ranks from+1 … to share their mean.
    const rank = (from + 1 + to) / 2;
    for (let k = from; k < to; k++) {
      if (positive[order[k]!]) {
        positives++;
        rankSum += rank;
      }
    }
    from = to;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * The ROC curve as [false positive rate, true positive rate] points, the threshold lowered from the
 * highest score: one point per distinct score (tied scores move both rates at once, so the straight
 * line between points has the tie-averaged area), from [0, 0] to [1, 1], thinned evenly to at most
 * `maxPoints` (ends kept).
 */
export function rocPoints(scores: ArrayLike<number>, positive: ArrayLike<boolean>, maxPoints = 200): [number, number][] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let totalPositive = 0;
  for (let i = 0; i < scores.length; i++) if (positive[i]) totalPositive++;
  const totalNegative = scores.length - totalPositive;
  if (totalPositive === 0 || totalNegative === 0) return [];
  const points: [number, number][] = [[0, 0]];
  let tp = 0;
  let fp = 0;
  for (let from = 0; from < order.length; ) {
    let to = from;
    while (to < order.length && scores[order[to]!] === scores[order[from]!]) {
      if (positive[order[to]!]) tp++;
      else fp++;
      to++;
    }
    points.push([fp / totalNegative, tp / totalPositive]);
    from = to;
  }
  if (points.length <= maxPoints) return points;
  return Array.from({ length: maxPoints }, (_, i) => points[Math.round((i * (points.length - 1)) / (maxPoints - 1))]!);
}

/** Both, or null when there are no positives or no negatives to tell apart. */
export function roc(scores: ArrayLike<number>, positive: ArrayLike<boolean>, maxPoints = 200): { auc: number; points: [number, number][] } | null {
  const auc = rocAuc(scores, positive);
  return Number.isNaN(auc) ? null : { auc, points: rocPoints(scores, positive, maxPoints) };
}

/** Positions of the `count` highest errors (highest first) and the `count` lowest (lowest first); ties by position. */
export function extremes(errors: ArrayLike<number>, count: number): { highest: number[]; lowest: number[] } {
  const positions = Array.from({ length: errors.length }, (_, i) => i);
  const n = Math.min(count, positions.length);
  const highest = [...positions].sort((a, b) => errors[b]! - errors[a]! || a - b).slice(0, n);
  const lowest = positions.sort((a, b) => errors[a]! - errors[b]! || a - b).slice(0, n);
  return { highest, lowest };
}

/**
 * Per-pixel squared error of `count` images (HWC floats in [0, 1]), averaged over channels, as one
 * channel 0..255 scaled so the largest in the batch is 255 (all 0 when every pixel is exact).
 */
export function errorMaps(inputs: Float32Array, outputs: Float32Array, count: number, pixels: number, channels: number): Uint8Array {
  const squared = new Float32Array(count * pixels);
  let max = 0;
  for (let p = 0; p < count * pixels; p++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += (outputs[p * channels + c]! - inputs[p * channels + c]!) ** 2;
    squared[p] = sum / channels;
    if (squared[p]! > max) max = squared[p]!;
  }
  const out = new Uint8Array(count * pixels);
  if (max > 0) for (let p = 0; p < out.length; p++) out[p] = Math.round((squared[p]! / max) * 255);
  return out;
}

/** Mean squared error per pixel of each of `count` images of `size` values. */
export function meanSquaredErrors(inputs: Float32Array, outputs: Float32Array, count: number, size: number): Float32Array {
  const errors = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let sum = 0;
    for (let k = i * size; k < (i + 1) * size; k++) sum += (outputs[k]! - inputs[k]!) ** 2;
    errors[i] = sum / size;
  }
  return errors;
}

/**
 * A score's ranking, the most anomalous first: index, [file,] label, class, error (mean squared per
 * pixel), held_out (1 when training left the class out), new_class (1 when the run's data has no such
 * class), and with a threshold, anomalous (1 when the error is over it). The app's export and the CLI's.
 */
export function scoresCsv(s: Pick<ScoreResult, 'errors' | 'indices' | 'labels' | 'classNames' | 'files' | 'heldOut' | 'newClasses'>, threshold?: number | null): string {
  const order = Array.from(s.errors, (_, i) => i).sort((a, b) => s.errors[b]! - s.errors[a]! || a - b);
  const flagged = threshold !== undefined && threshold !== null;
  const heldOut = new Set(s.heldOut);
  const newClasses = new Set(s.newClasses);
  const header = ['index', ...(s.files ? ['file'] : []), 'label', 'class', 'error', 'held_out', 'new_class', ...(flagged ? ['anomalous'] : [])];
  return csvLines(header, order.length, (r) => {
    const i = order[r]!;
    const error = s.errors[i]!;
    const label = s.labels[i]!;
    return [
      String(s.indices[i]),
      ...(s.files ? [csvField(s.files[i]!)] : []),
      String(label),
      csvField(s.classNames[label] ?? ''),
      float32Text(error),
      heldOut.has(label) ? '1' : '0',
      newClasses.has(label) ? '1' : '0',
      ...(flagged ? [error > threshold ? '1' : '0'] : []),
    ];
  });
}
