import * as tf from '@tensorflow/tfjs-core';
import { compileGraph, type CompiledModel } from '../compile/compile';
import { imageAt, imageSize, type ImageDataset, type ImageSplit } from '../data/dataset';
import type { GraphDoc } from '../graph/types';
import { pca2d } from '../latent/pca';
import type { LatentProjection, ReconstructionGrid, TrainEvent } from './events';
import { klWeightAt, LOSS_TERMS, lossTerms, toLossValues, type LossValues } from './losses';
import { ParallelGroup } from './parallel';
import { seededRandom, shuffledIndices } from './random';
import { captureWeights, restoreOptimizer, restoreWeights, type TrainingState } from './state';
import type { TrainingSettings } from '../graph/types';

export interface TrainControl {
  isStopRequested(): boolean;
  /** Resolves at once unless paused; while paused, resolves on resume or stop. */
  waitWhilePaused(): Promise<void>;
}

export interface TrainOptions {
  runId: string;
  graph: GraphDoc;
  dataset: ImageDataset;
  backend: string;
  emit: (event: TrainEvent) => void;
  control?: TrainControl;
  /** Least time between two batch-end events (the per-batch curve is throttled, not thinned at random). */
  batchEventIntervalMs?: number;
  reconCount?: number;
  /** Called after each finished epoch, before epoch-end is emitted: checkpoints are written here. */
  onEpochEnd?: (checkpoint: EpochCheckpoint) => Promise<void>;
  /** Continue a run from the state saved at the end of one of its epochs. */
  resumeFrom?: TrainingState;
  now?: () => number;
  /**
   * Split each batch across two threads when the backend registered a launcher and the model allows
   * it (see core/train/parallel.ts). Default true; false trains on this thread only.
   */
  parallel?: boolean;
  /** Read the loss back once every this many batches (and whenever a batch-end event is due). Default 16. */
  readEvery?: number;
  /** Told once whether the run trains on one thread or two, and why not two. */
  onThreads?: (threads: number, reason: string | null) => void;
}

export interface EpochCheckpoint {
  compiled: CompiledModel;
  optimizer: tf.Optimizer;
  epoch: number;
  step: number;
  bestValLoss: number;
  epochsSinceBest: number;
  /** This epoch reached the lowest validation loss so far. */
  improved: boolean;
}

export function makeOptimizer(settings: TrainingSettings): tf.Optimizer {
  switch (settings.optimizer) {
    case 'sgd':
      return settings.momentum > 0 ? tf.train.momentum(settings.learningRate, settings.momentum) : tf.train.sgd(settings.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(settings.learningRate, 0.9, 0, 1e-7);
    default:
      // Keras' defaults (β₁ 0.9, β₂ 0.999, ε 1e-7), so results compare with Keras and PyTorch runs.
      return tf.train.adam(settings.learningRate, 0.9, 0.999, 1e-7);
  }
}

const NO_CONTROL: TrainControl = { isStopRequested: () => false, waitWhilePaused: async () => {} };
const EVAL_BATCH = 256;

/** Copies a batch of images (by index) into a float buffer scaled to [0, 1]. */
export function fillBatch(split: ImageSplit, size: number, indices: ArrayLike<number>, from: number, count: number, out: Float32Array): void {
  if (split.readImage) {
    for (let b = 0; b < count; b++) {
      const image = split.readImage(indices[from + b]!);
      const dst = b * size;
      for (let k = 0; k < size; k++) out[dst + k] = image[k]! / 255;
    }
    return;
  }
  const { images } = split;
  for (let b = 0; b < count; b++) {
    const src = indices[from + b]! * size;
    const dst = b * size;
    for (let k = 0; k < size; k++) out[dst + k] = images[src + k]! / 255;
  }
}

/** One image per class first (so the grid shows variety), then the rest in order. */
export function pickReconIndices(labels: Uint8Array, count: number): number[] {
  const picked: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < labels.length && picked.length < count; i++) {
    if (!seen.has(labels[i]!)) {
      seen.add(labels[i]!);
      picked.push(i);
    }
  }
  for (let i = 0; i < labels.length && picked.length < count; i++) if (!picked.includes(i)) picked.push(i);
  return picked.slice(0, count);
}

/**
 * Trains a graph on a dataset and reports through `emit`. Resolves with the terminal event
 * (run-finished, run-stopped or run-failed); it never throws for a training fault.
 */
export async function trainAutoencoder(opts: TrainOptions): Promise<TrainEvent> {
  const { runId, graph, dataset, emit } = opts;
  const control = opts.control ?? NO_CONTROL;
  const now = opts.now ?? (() => Date.now());
  const throttle = opts.batchEventIntervalMs ?? 250;
  const { epochs, batchSize, learningRate, seed, earlyStoppingPatience, refreshEvery } = graph.training;
  const size = imageSize(dataset);
  const shape = [dataset.height, dataset.width, dataset.channels];
  const started = now();
  let compiled: CompiledModel;
  try {
    compiled = compileGraph(graph, seed);
  } catch (err) {
    const failed: TrainEvent = { type: 'run-failed', runId, message: (err as Error).message };
    emit(failed);
    return failed;
  }
  const inputShape = compiled.analysis.inputShape!;
  if (inputShape.join('x') !== shape.join('x')) {
    compiled.dispose();
    const failed: TrainEvent = {
      type: 'run-failed',
      runId,
      message: `the Input block is ${inputShape.join('×')} but the dataset's images are ${shape.join('×')}`,
    };
    emit(failed);
    return failed;
  }

  const optimizer = makeOptimizer(graph.training);
  const random = seededRandom(seed);
  const resume = opts.resumeFrom;
  if (resume) {
    try {
      restoreWeights(compiled, resume.weights);
      await restoreOptimizer(optimizer, resume.optimizer);
    } catch (err) {
      optimizer.dispose();
      compiled.dispose();
      const failed: TrainEvent = { type: 'run-failed', runId, message: `cannot resume: ${(err as Error).message}` };
      emit(failed);
      return failed;
    }
    // Replay the shuffles of the finished epochs so the next epoch sees the order it would have seen.
    for (let e = 0; e < resume.epoch; e++) shuffledIndices(dataset.train.count, random);
  }
  const stepsPerEpoch = Math.ceil(dataset.train.count / batchSize);
  let group: ParallelGroup | null = null;
  let threads = 1;
  const onThreads = (n: number, reason: string | null) => {
    threads = n;
    opts.onThreads?.(n, reason);
  };
  if (opts.parallel ?? true) {
    try {
      const started = await ParallelGroup.start({
        graph,
        compiled,
        optimizer,
        optimizerState: resume?.optimizer ?? [],
        weights: await captureWeights(compiled),
        batchSize,
        imageShape: shape as [number, number, number],
        backend: opts.backend,
      });
      if (started instanceof ParallelGroup) group = started;
      onThreads(group ? 2 : 1, group ? null : (started as { reason: string }).reason);
    } catch (err) {
      onThreads(1, (err as Error).message);
    }
  } else onThreads(1, 'parallel training is off');
  // Batches are cut into one preallocated buffer (shared with the second thread when there is one).
  const batchBuffer = group?.batchBuffer ?? new Float32Array(batchSize * size);
  const readEvery = Math.max(1, opts.readEvery ?? 16);
  // Loss terms of batches not yet read back (one-thread path): read together, every readEvery batches.
  const pending: { terms: tf.Tensor1D; batch: number; count: number }[] = [];
  const reconIndices = pickReconIndices(dataset.validation.labels.subarray(0, dataset.validation.count), opts.reconCount ?? 8);
  emit({
    type: 'run-started',
    runId,
    startEpoch: resume?.epoch ?? 0,
    backend: opts.backend,
    threads,
    epochs,
    stepsPerEpoch,
    trainCount: dataset.train.count,
    validationCount: dataset.validation.count,
    classNames: dataset.classNames,
    totalParams: compiled.analysis.totalParams,
    codeSize: compiled.analysis.codeSize!,
  });

  let step = resume?.step ?? 0;
  let lastLoss: number | null = null;
  let lastValLoss: number | null = null;
  let finishedEpochs = resume?.epoch ?? 0;
  let bestValLoss = resume?.bestValLoss ?? Infinity;
  let epochsSinceBest = resume?.epochsSinceBest ?? 0;
  let stoppedEarly = false;
  const stopped = (): TrainEvent => ({ type: 'run-stopped', runId, epochs: finishedEpochs, loss: lastLoss, val_loss: lastValLoss, elapsedMs: now() - started });
  try {
    for (let epoch = finishedEpochs + 1; epoch <= epochs && !stoppedEarly; epoch++) {
      const order = shuffledIndices(dataset.train.count, random);
      const epochStart = now();
      const epochTerms: LossValues = { loss: 0, recon_loss: 0, sparsity_loss: 0, kl_loss: 0 };
      let epochSamples = 0;
      let windowLoss = 0;
      let windowBatches = 0;
      let lastEmit = now();
      let lastYield = now();
      // Time spent paused in this epoch: left out of its samples per second.
      let pausedMs = 0;
      for (let batch = 1; batch <= stepsPerEpoch; batch++) {
        if (now() - lastYield > 30) {
          // Let control messages (stop, pause) reach the loop.
          await new Promise((resolve) => setTimeout(resolve, 0));
          lastYield = now();
        }
        const pauseStart = now();
        await control.waitWhilePaused();
        pausedMs += now() - pauseStart;
        if (control.isStopRequested()) {
          const event = stopped();
          emit(event);
          return event;
        }
        const from = (batch - 1) * batchSize;
        const count = Math.min(batchSize, dataset.train.count - from);
        fillBatch(dataset.train, size, order, from, count, batchBuffer);
        step++;
        const klWeight = klWeightAt(compiled.loss, step, stepsPerEpoch);
        const read: { values: LossValues; batch: number; count: number }[] = [];
        if (group) {
          read.push({ values: toLossValues(group.run(count, klWeight)), batch, count });
          if (group.broken) {
            onThreads(1, group.broken);
            group.close();
            group = null;
          }
        } else {
          const xs = tf.tensor4d(batchBuffer.subarray(0, count * size), [count, ...shape] as [number, number, number, number]);
          let terms: tf.Tensor1D | null = null;
          optimizer.minimize(() => {
            const outputs = compiled.trainModel.apply(xs, { training: true }) as tf.Tensor[];
            terms = tf.keep(lossTerms(compiled.loss, outputs, xs, klWeight));
            return tf.reshape(tf.slice(terms, 0, 1), []) as tf.Scalar;
          })?.dispose();
          xs.dispose();
          pending.push({ terms: terms!, batch, count });
          // No read-back per batch: the terms wait on the device and are read together.
          if (pending.length >= readEvery || now() - lastEmit >= throttle || batch === stepsPerEpoch) {
            const stacked = tf.stack(pending.map((p) => p.terms));
            const all = await stacked.data();
            stacked.dispose();
            pending.forEach((p, i) => read.push({ values: toLossValues(all.subarray(i * 4, i * 4 + 4)), batch: p.batch, count: p.count }));
            tf.dispose(pending.map((p) => p.terms));
            pending.length = 0;
          }
        }
        for (const r of read) {
          const loss = r.values.loss;
          if (!Number.isFinite(loss)) {
            const window = read.length > 1 ? ` (read back with batches ${read[0]!.batch}–${read[read.length - 1]!.batch})` : '';
            const failed: TrainEvent = {
              type: 'run-failed',
              runId,
              epoch,
              batch: r.batch,
              message: `the loss became ${loss} at epoch ${epoch}, batch ${r.batch}${window}: training diverged; try a lower learning rate than ${learningRate}`,
            };
            emit(failed);
            return failed;
          }
          for (const key of LOSS_TERMS) epochTerms[key] += r.values[key] * r.count;
          epochSamples += r.count;
          windowLoss += loss;
          windowBatches++;
        }
        const t = now();
        if (read.length && (t - lastEmit >= throttle || batch === stepsPerEpoch)) {
          emit({
            type: 'batch-end',
            runId,
            epoch,
            batch,
            step,
            loss: windowLoss / windowBatches,
            samplesPerSec: epochSamples / Math.max((t - epochStart - pausedMs) / 1000, 1e-3),
            elapsedMs: t - started,
          });
          windowLoss = 0;
          windowBatches = 0;
          lastEmit = t;
        }
      }
      const trainSeconds = (now() - epochStart - pausedMs) / 1000;
      const refresh = epoch % refreshEvery === 0 || epoch === epochs;
      const evaluation = await evaluate(compiled, dataset, reconIndices, klWeightAt(compiled.loss, step, stepsPerEpoch), refresh);
      for (const key of LOSS_TERMS) epochTerms[key] /= epochSamples;
      lastLoss = epochTerms.loss;
      lastValLoss = evaluation.valLoss;
      finishedEpochs = epoch;
      const improved = lastValLoss < bestValLoss;
      if (improved) {
        bestValLoss = lastValLoss;
        epochsSinceBest = 0;
      } else epochsSinceBest++;
      stoppedEarly = earlyStoppingPatience > 0 && epochsSinceBest >= earlyStoppingPatience && epoch < epochs;
      await opts.onEpochEnd?.({ compiled, optimizer, epoch, step, bestValLoss, epochsSinceBest, improved });
      emit({
        type: 'epoch-end',
        runId,
        epoch,
        step,
        loss: lastLoss,
        val_loss: lastValLoss,
        metrics: { ...epochTerms, ...prefixed('val_', evaluation.terms) },
        samplesPerSec: epochSamples / Math.max(trainSeconds, 1e-3),
        elapsedMs: now() - started,
        latent: evaluation.latent,
        recon: evaluation.recon,
        best_val_loss: bestValLoss,
        improved,
      });
    }
    const finished: TrainEvent = {
      type: 'run-finished',
      runId,
      epochs: finishedEpochs,
      loss: lastLoss ?? NaN,
      val_loss: lastValLoss ?? NaN,
      best_val_loss: bestValLoss,
      elapsedMs: now() - started,
      stoppedEarly,
    };
    emit(finished);
    return finished;
  } catch (err) {
    const failed: TrainEvent = { type: 'run-failed', runId, message: `training failed: ${(err as Error).message}` };
    emit(failed);
    return failed;
  } finally {
    tf.dispose(pending.map((p) => p.terms));
    group?.close();
    optimizer.dispose();
    compiled.dispose();
  }
}

function prefixed(prefix: string, values: LossValues): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k}`, v]));
}

interface Evaluation {
  valLoss: number;
  terms: LossValues;
  latent: LatentProjection | null;
  recon: ReconstructionGrid | null;
}

/** Validation loss, the validation codes projected to 2-D, and the reconstruction grid. */
async function evaluate(compiled: CompiledModel, dataset: ImageDataset, reconIndices: number[], klWeight: number, refresh: boolean): Promise<Evaluation> {
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
