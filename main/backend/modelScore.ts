/**
 * Scoring a dataset by reconstruction error with a loaded model: the run's validation split, a
 * built-in set's, or every image of another folder; with the extremes' images and error maps.
 */
import type { ScoredImages, ScoreResult } from '../../core/api';
import { parseDatasetId, withClasses } from '../../core/data/datasetId';
import { anomalyRoc, anomalyTruth, classRoles, errorMaps, extremes, meanSquaredErrors, perClassStats } from '../../core/score';
import { ModelError } from './modelProtocol';
import type { LoadedImages, LoadedModel, ModelService, Progress } from './models';
import { BATCH, floatsOf, reconstruct, toImageBatch, yieldToMessages } from './modelTensors';

/**
 * Every image of a dataset scored by its reconstruction error, a batch at a time: the run's
 * validation split by default, a built-in set's validation split, every image of another folder.
 */
export async function score(svc: ModelService, m: LoadedModel, datasetId: string | null, count: number, progress: Progress, signal?: AbortSignal): Promise<ScoreResult> {
  const id = datasetId ?? m.source.datasetId;
  const whole = scoresWhole(m.source.datasetId, id);
  const own = datasetId === null || (!whole && sameImages(m.source.datasetId, id));
  const images = await svc.datasetImages(m, id, whole, own, progress, signal);
  const n = images.split.count;
  if (n === 0) throw new ModelError(`${images.name} has no images to score`, 'bad-request');
  const errors = new Float32Array(n);
  for (let from = 0; from < n; from += BATCH) {
    const part = Array.from({ length: Math.min(BATCH, n - from) }, (_, i) => from + i);
    const x = floatsOf(images, part);
    errors.set(meanSquaredErrors(x, await reconstruct(m, x, part.length), part.length, images.size), from);
    progress('scoring', from + part.length, n);
    await yieldToMessages();
  }
  const labels = Array.from(images.split.labels);
  const { heldOut, newClasses } = classRoles({ classNames: m.source.classNames ?? null, trainedClasses: m.source.trainedClasses ?? null }, images.classNames);
  const ends = extremes(errors, count);
  return {
    runId: m.source.runId,
    datasetId: id,
    datasetName: images.name,
    count: n,
    errors: Array.from(errors),
    labels,
    classNames: images.classNames,
    files: images.files,
    indices: Array.from({ length: n }, (_, i) => i),
    perClass: perClassStats(errors, labels),
    heldOut,
    newClasses,
    roc: anomalyRoc(errors, anomalyTruth({ labels, classNames: images.classNames, heldOut, newClasses })),
    highest: await scored(m, images, ends.highest),
    lowest: await scored(m, images, ends.lowest),
    skipped: images.skipped,
    skippedCount: images.skippedCount,
  };
}

/** Images of a scored set with their reconstructions and error maps (scaled to this batch's largest error). */
export async function scored(m: LoadedModel, images: LoadedImages, positions: number[]): Promise<ScoredImages> {
  const x = floatsOf(images, positions);
  const out = await reconstruct(m, x, positions.length);
  const maps = errorMaps(x, out, positions.length, m.height * m.width, m.channels);
  return {
    positions,
    inputs: toImageBatch(m, x, positions.length),
    reconstructions: toImageBatch(m, out, positions.length),
    errorMaps: { count: positions.length, height: m.height, width: m.width, channels: 1, pixels: Buffer.from(maps.buffer, maps.byteOffset, maps.byteLength).toString('base64') },
  };
}

/**
 * Whether a score covers every image of a dataset: an image folder other than the run's own is new
 * to the model, all of it; a built-in set (whose training images runs train on) and the run's own
 * folder are scored on their validation split.
 */
export function scoresWhole(runDatasetId: string, datasetId: string): boolean {
  try {
    const ref = parseDatasetId(datasetId);
    if (ref.kind === 'builtin') return false;
    const own = parseDatasetId(runDatasetId);
    return !(own.kind === 'folder' && own.path === ref.path);
  } catch {
    return false;
  }
}

/** The same validation images: the ids differ at most in the classes training kept. */
export function sameImages(a: string, b: string): boolean {
  try {
    return withClasses(a, null) === withClasses(b, null);
  } catch {
    return a === b;
  }
}
