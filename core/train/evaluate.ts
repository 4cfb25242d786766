/** The end-of-epoch look at the validation split: its loss, the latent scatter and the reconstruction grid. */
import * as tf from '@tensorflow/tfjs-core';
import type { CompiledModel } from '../compile/compile';
import { imageAt, imageSize, type ImageDataset } from '../data/dataset';
import { pca2d } from '../latent/pca';
import type { BatchSource } from './batches';
import { bytePixels, corruptImage, mixSeed, unitPixels } from './corruption';
import type { LatentProjection, ReconstructionGrid } from './events';
import { lossTerms, toLossValues, type LossValues } from './losses';

/** Validation images per forward pass. */
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

/**
 * Validation loss, the validation codes projected to 2-D, and the reconstruction grid (the last two
 * only when `refresh`). Everything is computed where `source` keeps the images (on a GPU, the
 * device) and read back once: the summed loss terms, the codes and the reconstructions together.
 */
export async function evaluate(compiled: CompiledModel, dataset: ImageDataset, source: BatchSource, reconIndices: number[], klWeight: number, refresh: boolean): Promise<Evaluation> {
  const size = imageSize(dataset);
  const split = dataset.validation;
  const n = split.count;
  const codeSize = compiled.analysis.codeSize!;
  const sequential = Uint32Array.from({ length: n }, (_, i) => i);
  let sums: tf.Tensor1D = tf.zeros([4]);
  const codeParts: tf.Tensor[] = [];
  for (let from = 0; from < n; from += EVAL_BATCH) {
    const count = Math.min(EVAL_BATCH, n - from);
    const next = tf.tidy(() => {
      const xs = source.batch(sequential, from, count);
      const outputs = compiled.trainModel.apply(xs, { training: false }) as tf.Tensor[];
      // The code to plot is the deterministic one: the mean for a VAE.
      if (refresh) codeParts.push(tf.keep(tf.reshape(outputs[2] ?? outputs[1]!, [-1])));
      return tf.add(sums, tf.mul(lossTerms(compiled.loss, outputs, xs, klWeight), count)) as tf.Tensor1D;
    });
    sums.dispose();
    sums = next;
  }
  const m = refresh ? reconIndices.length : 0;
  const corrupted = m && compiled.inputCorruptions.length ? corruptGrid(compiled, dataset, reconIndices) : null;
  const all = tf.tidy(() => {
    const parts: tf.Tensor[] = [tf.div(sums, n), ...codeParts];
    const gridInput = corrupted ? tf.tensor4d(concat(corrupted), [m, dataset.height, dataset.width, dataset.channels]) : m ? source.batch(reconIndices, 0, m) : null;
    if (gridInput) parts.push(tf.reshape(compiled.model.apply(gridInput, { training: false }) as tf.Tensor, [-1]));
    return tf.concat(parts.map((p) => tf.reshape(p, [-1])));
  });
  tf.dispose([sums, ...codeParts]);
  const values = await all.data<'float32'>();
  all.dispose();
  const terms = toLossValues(values.subarray(0, 4));
  if (!refresh) return { valLoss: terms.loss, terms, latent: null, recon: null };
  const codes = values.subarray(4, 4 + n * codeSize);
  const reconValues = values.subarray(4 + n * codeSize);
  const labels = Array.from(split.labels.subarray(0, n));
  let latent: LatentProjection;
  if (codeSize === 2) {
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      x.push(codes[i * 2]!);
      y.push(codes[i * 2 + 1]!);
    }
    latent = { method: 'raw', x, y, labels };
  } else {
    const p = pca2d(codes, n, codeSize);
    latent = { method: 'pca', x: Array.from(p.x), y: Array.from(p.y), labels, explained: p.explained };
  }

  const recon: ReconstructionGrid = {
    height: dataset.height,
    width: dataset.width,
    channels: dataset.channels,
    originals: reconIndices.map((idx) => Array.from(imageAt(split, size, idx))),
    reconstructions: reconIndices.map((_, i) => Array.from(bytePixels(reconValues.subarray(i * size, (i + 1) * size)))),
    labels: reconIndices.map((idx) => split.labels[idx]!),
    ...(corrupted && { corrupted: corrupted.map((pixels) => Array.from(bytePixels(pixels))) }),
  };
  return { valLoss: terms.loss, terms, latent, recon };
}

/**
 * The grid's validation images as the model's input corruptions would leave them, the same every
 * epoch: image i of the grid always draws from (GRID_CORRUPTION_SEED, i).
 */
function corruptGrid(compiled: CompiledModel, dataset: ImageDataset, indices: number[]): Float32Array[] {
  const size = imageSize(dataset);
  return indices.map((idx, i) => corruptImage(unitPixels(imageAt(dataset.validation, size, idx)), dataset, compiled.inputCorruptions, mixSeed(GRID_CORRUPTION_SEED, i)).pixels);
}

function concat(images: Float32Array[]): Float32Array {
  const out = new Float32Array(images.reduce((n, im) => n + im.length, 0));
  let at = 0;
  for (const im of images) {
    out.set(im, at);
    at += im.length;
  }
  return out;
}
