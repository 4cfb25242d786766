/** The end-of-epoch look at the validation split: its loss, the latent scatter and the reconstruction grid. */
import * as tf from '@tensorflow/tfjs-core';
import type { CompiledModel } from '../compile/compile';
import { imageAt, imageSize, type ImageDataset } from '../data/dataset';
import { pca2d } from '../latent/pca';
import { fillBatch } from './batches';
import type { LatentProjection, ReconstructionGrid } from './events';
import { LOSS_TERMS, lossTerms, toLossValues, type LossValues } from './losses';

const EVAL_BATCH = 256;

export interface Evaluation {
  valLoss: number;
  terms: LossValues;
  /** Null on epochs between refreshes. */
  latent: LatentProjection | null;
  recon: ReconstructionGrid | null;
}

/** Validation loss, the validation codes projected to 2-D, and the reconstruction grid (the last two only when `refresh`). */
export async function evaluate(compiled: CompiledModel, dataset: ImageDataset, reconIndices: number[], klWeight: number, refresh: boolean): Promise<Evaluation> {
  const size = imageSize(dataset);
  const shape = [dataset.height, dataset.width, dataset.channels] as const;
  const split = dataset.validation;
  const n = split.count;
  const codeSize = compiled.analysis.codeSize!;
  const codes = new Float32Array(n * codeSize);
  const buffer = new Float32Array(EVAL_BATCH * size);
  const sequential = Uint32Array.from({ length: n }, (_, i) => i);
  const sums: LossValues = { loss: 0, recon_loss: 0, sparsity_loss: 0, kl_loss: 0 };
  for (let from = 0; from < n; from += EVAL_BATCH) {
    const count = Math.min(EVAL_BATCH, n - from);
    fillBatch(split, size, sequential, from, count, buffer);
    const [terms, code] = tf.tidy(() => {
      const xs = tf.tensor4d(buffer.subarray(0, count * size), [count, ...shape]);
      const outputs = compiled.trainModel.apply(xs, { training: false }) as tf.Tensor[];
      // The code to plot is the deterministic one: the mean for a VAE.
      const plotted = outputs[2] ?? outputs[1]!;
      return [lossTerms(compiled.loss, outputs, xs, klWeight), tf.clone(plotted)] as const;
    });
    const values = toLossValues(await terms.data());
    for (const key of LOSS_TERMS) sums[key] += values[key] * count;
    codes.set(await code.data(), from * codeSize);
    terms.dispose();
    code.dispose();
  }
  for (const key of LOSS_TERMS) sums[key] /= n;
  if (!refresh) return { valLoss: sums.loss, terms: sums, latent: null, recon: null };
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

  const m = reconIndices.length;
  const reconBuffer = new Float32Array(m * size);
  fillBatch(split, size, reconIndices, 0, m, reconBuffer);
  const reconTensor = tf.tidy(() => compiled.model.apply(tf.tensor4d(reconBuffer, [m, ...shape]), { training: false }) as tf.Tensor);
  const reconValues = await reconTensor.data();
  reconTensor.dispose();
  const toBytes = (values: ArrayLike<number>, offset: number) =>
    Array.from({ length: size }, (_, k) => Math.round(Math.min(1, Math.max(0, values[offset + k]!)) * 255));
  const recon: ReconstructionGrid = {
    height: dataset.height,
    width: dataset.width,
    channels: dataset.channels,
    originals: reconIndices.map((idx) => Array.from(imageAt(split, size, idx))),
    reconstructions: reconIndices.map((_, i) => toBytes(reconValues, i * size)),
    labels: reconIndices.map((idx) => split.labels[idx]!),
  };
  return { valLoss: sums.loss, terms: sums, latent, recon };
}
