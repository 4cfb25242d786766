/** The end-of-epoch look at the validation split: its loss, the latent scatter and the reconstruction grid. */
import type { ModelPlan } from '../compile/plan';
import { toLossValues, type LossValues } from '../compile/lossSpec';
import { imageAt, imageSize, type ImageDataset } from '../data/dataset';
import { pca2d } from '../latent/pca';
import { fillBatch } from './batches';
import { bytePixels, corruptImage, mixSeed, unitPixels } from './corruption';
import type { StepRunner } from './engine';
import type { LatentProjection, ReconstructionGrid } from './events';

/** Validation images per evaluation run. */
export const EVAL_BATCH = 256;

/**
 * The seed of the grid's corruption: fixed, so every epoch (and every run of the same graph on the
 * same data, in Compare) shows the same noisy or masked inputs.
 */
export const GRID_CORRUPTION_SEED = 16;

export interface Evaluation {
  valLoss: number;
  terms: LossValues;
  /** Null on epochs between refreshes. */
  latent: LatentProjection | null;
  recon: ReconstructionGrid | null;
}

export interface EvaluationRequest {
  runner: StepRunner;
  plan: ModelPlan;
  dataset: ImageDataset;
  reconIndices: number[];
  klWeight: number;
  /** Compute the projection and the grid too. */
  refresh: boolean;
  /** Images per run. */
  batch: number;
}

/** Validation loss (terms weighted by each batch's images), and when `refresh` the codes projected to 2-D and the reconstruction grid. */
export async function evaluate(r: EvaluationRequest): Promise<Evaluation> {
  const { runner, plan, dataset } = r;
  const size = imageSize(dataset);
  const split = dataset.validation;
  const n = split.count;
  const codeSize = plan.codeSize;
  const sequential = Uint32Array.from({ length: n }, (_, i) => i);
  const sums = new Float64Array(4);
  const codes = r.refresh ? new Float32Array(n * codeSize) : null;
  const buffer = new Float32Array(Math.min(r.batch, Math.max(n, 1)) * size);
  for (let from = 0; from < n; from += r.batch) {
    const count = Math.min(r.batch, n - from);
    fillBatch(split, size, sequential, from, count, buffer);
    const out = await runner.evaluate(buffer.subarray(0, count * size), count, r.klWeight);
    for (let k = 0; k < 4; k++) sums[k]! += out.losses[k]! * count;
    codes?.set(out.code, from * codeSize);
  }
  const terms = toLossValues(Array.from(sums, (s) => s / n));
  if (!r.refresh || !codes) return { valLoss: terms.loss, terms, latent: null, recon: null };
  const labels = Array.from(split.labels.subarray(0, n));
  return { valLoss: terms.loss, terms, latent: project(codes, n, codeSize, labels), recon: await grid(r) };
}

function project(codes: Float32Array, n: number, codeSize: number, labels: number[]): LatentProjection {
  if (codeSize === 2) {
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      x.push(codes[i * 2]!);
      y.push(codes[i * 2 + 1]!);
    }
    return { method: 'raw', x, y, labels };
  }
  const p = pca2d(codes, n, codeSize);
  return { method: 'pca', x: Array.from(p.x), y: Array.from(p.y), labels, explained: p.explained };
}

/**
 * The grid: the chosen validation images, as the model's input corruptions leave them when it has
 * any (image i of the grid always draws from (GRID_CORRUPTION_SEED, i), so every epoch shows the
 * same), and their reconstructions.
 */
async function grid(r: EvaluationRequest): Promise<ReconstructionGrid> {
  const { dataset, plan, reconIndices } = r;
  const size = imageSize(dataset);
  const split = dataset.validation;
  const m = reconIndices.length;
  const input = new Float32Array(m * size);
  const corrupted = plan.inputCorruptions.length
    ? reconIndices.map((idx, i) => corruptImage(unitPixels(imageAt(split, size, idx)), dataset, plan.inputCorruptions, mixSeed(GRID_CORRUPTION_SEED, i)).pixels)
    : null;
  if (corrupted) corrupted.forEach((pixels, i) => input.set(pixels, i * size));
  else fillBatch(split, size, reconIndices, 0, m, input);
  const out = m ? (await r.runner.evaluate(input, m, r.klWeight)).reconstruction : new Float32Array(0);
  return {
    height: dataset.height,
    width: dataset.width,
    channels: dataset.channels,
    originals: reconIndices.map((idx) => Array.from(imageAt(split, size, idx))),
    reconstructions: reconIndices.map((_, i) => Array.from(bytePixels(out.subarray(i * size, (i + 1) * size)))),
    labels: reconIndices.map((idx) => split.labels[idx]!),
    ...(corrupted && { corrupted: corrupted.map((pixels) => Array.from(bytePixels(pixels))) }),
  };
}
