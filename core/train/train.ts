import * as tf from '@tensorflow/tfjs-core';
import { compileGraph, type CompiledModel } from '../compile/compile';
import type { ImageDataset } from '../data/dataset';
import type { GraphDoc, TrainingSettings } from '../graph/types';
import { batchSources, keepsDataOnDevice, pickReconIndices } from './batches';
import { EVAL_BATCH, evaluate } from './evaluate';
import type { TrainEvent } from './events';
import { klWeightAt, LOSS_TERMS, type LossValues } from './losses';
import { seededRandom, shuffledIndices } from './random';
import { captureWeights, restoreNoise, restoreOptimizer, restoreWeights, type TrainingState } from './state';
import { chooseStepper, type BatchStepper } from './stepper';

export interface TrainControl {
  /**
   * Called before every batch: takes in control messages already waiting without giving up the
   * thread (a worker reads its port synchronously), so stop and pause are seen at each batch.
   */
  poll?(): void;
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
  /** The most bytes one device buffer may hold (the dataset is uploaded in chunks of this on a GPU). */
  maxDeviceBufferBytes?: number;
  /**
   * The device's fault (a GPU lost, out of memory, a shader refused) as the run's failure message,
   * or null while it works. Checked after every batch and before every checkpoint: a faulty
   * device's numbers are never saved, and errors its failure causes are reported as it.
   */
  deviceFault?: () => string | null;
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

/** What setUp hands the loop: the model and optimizer (restored when resuming) and the shuffle generator. */
interface Session {
  compiled: CompiledModel;
  optimizer: tf.Optimizer;
  /** Advanced past the shuffles of the epochs a resumed run already trained. */
  random: () => number;
}

/**
 * Compiles the graph, checks that it fits the images, builds the optimizer and, when resuming,
 * restores the saved weights and optimizer state. A fault is returned as the run's failure message.
 */
async function setUp(graph: GraphDoc, dataset: ImageDataset, resume: TrainingState | undefined): Promise<Session | { failure: string }> {
  const shape = [dataset.height, dataset.width, dataset.channels];
  let compiled: CompiledModel;
  try {
    compiled = compileGraph(graph, graph.training.seed);
  } catch (err) {
    return { failure: (err as Error).message };
  }
  const inputShape = compiled.analysis.inputShape!;
  if (inputShape.join('x') !== shape.join('x')) {
    compiled.dispose();
    return { failure: `the Input block is ${inputShape.join('×')} but the dataset's images are ${shape.join('×')}` };
  }
  if (dataset.train.count === 0) {
    compiled.dispose();
    return { failure: 'the dataset has no training images' };
  }
  const optimizer = makeOptimizer(graph.training);
  const random = seededRandom(graph.training.seed);
  if (resume) {
    try {
      restoreWeights(compiled, resume.weights);
      await restoreOptimizer(optimizer, resume.optimizer);
      restoreNoise(compiled, resume.sampling, resume.step);
    } catch (err) {
      optimizer.dispose();
      compiled.dispose();
      return { failure: `cannot resume: ${(err as Error).message}` };
    }
    // Replay the shuffles of the finished epochs so the next epoch sees the order it would have seen.
    for (let e = 0; e < resume.epoch; e++) shuffledIndices(dataset.train.count, random);
  }
  return { compiled, optimizer, random };
}

/** What the epoch loop shares across epochs. */
interface Loop {
  runId: string;
  dataset: ImageDataset;
  compiled: CompiledModel;
  stepper: BatchStepper;
  control: TrainControl;
  emit: (event: TrainEvent) => void;
  now: () => number;
  random: () => number;
  batchSize: number;
  stepsPerEpoch: number;
  learningRate: number;
  /** Least time between two batch-end events. */
  throttle: number;
  /** When the run (this session of it) started, for elapsedMs. */
  started: number;
  /** Time spent paused since then: elapsedMs leaves it out. */
  pausedMs: number;
  /** Global step, counted on across epochs. */
  step: number;
  /** When the loop last let other tasks run: kept across epochs, so runs of short epochs yield too. */
  lastYield: number;
  deviceFault: () => string | null;
}

type EpochResult =
  | { kind: 'trained'; terms: LossValues; samples: number; trainSeconds: number }
  | { kind: 'stopped' }
  | { kind: 'failed'; event: TrainEvent };

/** One pass over the training split: a step per batch, batch-end events, pause and stop between batches. */
async function trainEpoch(loop: Loop, epoch: number): Promise<EpochResult> {
  const { runId, dataset, stepper, control, now, batchSize, stepsPerEpoch, throttle } = loop;
  const order = shuffledIndices(dataset.train.count, loop.random);
  const epochStart = now();
  const terms: LossValues = { loss: 0, recon_loss: 0, sparsity_loss: 0, kl_loss: 0 };
  let samples = 0;
  let windowLoss = 0;
  let windowBatches = 0;
  let lastEmit = now();
  // Time spent paused in this epoch: left out of its samples per second.
  let pausedMs = 0;
  for (let batch = 1; batch <= stepsPerEpoch; batch++) {
    if (now() - loop.lastYield > 30) {
      // Let control messages that arrive as tasks (a host without poll) reach the loop.
      await new Promise((resolve) => setTimeout(resolve, 0));
      loop.lastYield = now();
    }
    control.poll?.();
    const pauseStart = now();
    await control.waitWhilePaused();
    const paused = now() - pauseStart;
    pausedMs += paused;
    loop.pausedMs += paused;
    if (control.isStopRequested()) return { kind: 'stopped' };
    const from = (batch - 1) * batchSize;
    const count = Math.min(batchSize, dataset.train.count - from);
    loop.step++;
    const read = await stepper.step({
      batch,
      order,
      from,
      count,
      klWeight: klWeightAt(loop.compiled.loss, loop.step, stepsPerEpoch),
      readBackDue: () => now() - lastEmit >= throttle || batch === stepsPerEpoch,
    });
    const fault = loop.deviceFault();
    if (fault) return { kind: 'failed', event: { type: 'run-failed', runId, epoch, batch, message: fault } };
    for (const r of read) {
      const loss = r.values.loss;
      if (!Number.isFinite(loss)) {
        const window = read.length > 1 ? ` (read back with batches ${read[0]!.batch}–${read[read.length - 1]!.batch})` : '';
        const message = `the loss became ${loss} at epoch ${epoch}, batch ${r.batch}${window}: training diverged; try a lower learning rate than ${loop.learningRate}`;
        return { kind: 'failed', event: { type: 'run-failed', runId, epoch, batch: r.batch, message } };
      }
      for (const key of LOSS_TERMS) terms[key] += r.values[key] * r.count;
      samples += r.count;
      windowLoss += loss;
      windowBatches++;
    }
    const t = now();
    if (read.length && (t - lastEmit >= throttle || batch === stepsPerEpoch)) {
      loop.emit({
        type: 'batch-end',
        runId,
        epoch,
        batch,
        step: loop.step,
        loss: windowLoss / windowBatches,
        samplesPerSec: samples / Math.max((t - epochStart - pausedMs) / 1000, 1e-3),
        elapsedMs: t - loop.started - loop.pausedMs,
      });
      windowLoss = 0;
      windowBatches = 0;
      lastEmit = t;
    }
  }
  for (const key of LOSS_TERMS) terms[key] /= samples;
  return { kind: 'trained', terms, samples, trainSeconds: (now() - epochStart - pausedMs) / 1000 };
}

/**
 * Trains a graph on a dataset and reports through `emit`. Resolves with the terminal event
 * (run-finished, run-stopped or run-failed); it never throws for a training fault.
 */
export async function trainAutoencoder(opts: TrainOptions): Promise<TrainEvent> {
  const { runId, graph, dataset, emit } = opts;
  const now = opts.now ?? (() => Date.now());
  const { epochs, earlyStoppingPatience, refreshEvery } = graph.training;
  const started = now();
  const fail = (failed: TrainEvent): TrainEvent => {
    emit(failed);
    return failed;
  };
  const resume = opts.resumeFrom;
  const session = await setUp(graph, dataset, resume);
  if ('failure' in session) return fail({ type: 'run-failed', runId, message: session.failure });
  const { compiled, optimizer } = session;
  // A batch larger than the split would silently be the whole split: use that, and say so.
  const trainCount = dataset.train.count;
  const batchSize = Math.min(graph.training.batchSize, trainCount);
  const note = batchSize < graph.training.batchSize ? `batch size ${graph.training.batchSize} is larger than the ${trainCount} training images: using ${batchSize}` : undefined;
  const stepsPerEpoch = Math.ceil(trainCount / batchSize);
  let threads = 1;
  const sources = batchSources(dataset, { onDevice: keepsDataOnDevice(opts.backend), batchSize, evalBatch: EVAL_BATCH, maxChunkBytes: opts.maxDeviceBufferBytes });
  const stepper = await chooseStepper(
    {
      compiled,
      optimizer,
      source: sources.train,
      split: dataset.train,
      imageShape: [dataset.height, dataset.width, dataset.channels],
      readEvery: Math.max(1, opts.readEvery ?? 16),
      graph,
      batchSize,
      backend: opts.backend,
      parallel: opts.parallel ?? true,
      weights: () => captureWeights(compiled),
      optimizerState: resume?.optimizer ?? [],
    },
    (n, reason) => {
      threads = n;
      opts.onThreads?.(n, reason);
    },
  );
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
    effectiveBatchSize: batchSize,
    ...(note && { note }),
  });

  const loop: Loop = {
    runId,
    dataset,
    compiled,
    stepper,
    control: opts.control ?? NO_CONTROL,
    emit,
    now,
    random: session.random,
    batchSize,
    stepsPerEpoch,
    learningRate: graph.training.learningRate,
    throttle: opts.batchEventIntervalMs ?? 250,
    started,
    pausedMs: 0,
    step: resume?.step ?? 0,
    lastYield: now(),
    deviceFault: opts.deviceFault ?? (() => null),
  };
  // Training time, the paused stretches left out.
  const elapsed = () => now() - started - loop.pausedMs;
  let lastLoss: number | null = null;
  let lastValLoss: number | null = null;
  let finishedEpochs = resume?.epoch ?? 0;
  let bestValLoss = resume?.bestValLoss ?? Infinity;
  let epochsSinceBest = resume?.epochsSinceBest ?? 0;
  let stoppedEarly = false;
  try {
    for (let epoch = finishedEpochs + 1; epoch <= epochs && !stoppedEarly; epoch++) {
      const trained = await trainEpoch(loop, epoch);
      if (trained.kind === 'failed') return fail(trained.event);
      if (trained.kind === 'stopped') {
        const event: TrainEvent = { type: 'run-stopped', runId, epochs: finishedEpochs, loss: lastLoss, val_loss: lastValLoss, elapsedMs: elapsed() };
        emit(event);
        return event;
      }
      const refresh = epoch % refreshEvery === 0 || epoch === epochs;
      const evaluation = await evaluate(compiled, dataset, sources.validation, reconIndices, klWeightAt(compiled.loss, loop.step, stepsPerEpoch), refresh);
      lastLoss = trained.terms.loss;
      lastValLoss = evaluation.valLoss;
      finishedEpochs = epoch;
      const improved = lastValLoss < bestValLoss;
      if (improved) {
        bestValLoss = lastValLoss;
        epochsSinceBest = 0;
      } else epochsSinceBest++;
      stoppedEarly = earlyStoppingPatience > 0 && epochsSinceBest >= earlyStoppingPatience && epoch < epochs;
      const fault = loop.deviceFault();
      if (fault) return fail({ type: 'run-failed', runId, epoch, message: fault });
      await opts.onEpochEnd?.({ compiled, optimizer, epoch, step: loop.step, bestValLoss, epochsSinceBest, improved });
      emit({
        type: 'epoch-end',
        runId,
        epoch,
        step: loop.step,
        loss: lastLoss,
        val_loss: lastValLoss,
        metrics: { ...trained.terms, ...prefixed('val_', evaluation.terms) },
        samplesPerSec: trained.samples / Math.max(trained.trainSeconds, 1e-3),
        elapsedMs: elapsed(),
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
      elapsedMs: elapsed(),
      stoppedEarly,
    };
    emit(finished);
    return finished;
  } catch (err) {
    // A lost device fails the next read-back or upload: name the fault rather than its symptom.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return fail({ type: 'run-failed', runId, message: loop.deviceFault() ?? `training failed: ${(err as Error).message}` });
  } finally {
    stepper.close();
    sources.train.dispose();
    sources.validation.dispose();
    optimizer.dispose();
    compiled.dispose();
  }
}

function prefixed(prefix: string, values: LossValues): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k}`, v]));
}
