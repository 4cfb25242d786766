/**
 * The training loop, engine-neutral: batches from the host, random tensors from the app's seeded
 * streams, per-step scalars, pause, resume and stop between batches, a NaN guard, validation at each
 * epoch's end and the events the app shows. The step itself runs in the engine the host provides
 * (a StepRunner over ONNX Runtime); the loop prepares the next batch while the current step runs.
 */
import { CompileError, planModel, type ModelPlan } from '../compile/plan';
import { initialParams } from '../compile/init';
import { klWeightAt, LOSS_TERMS, toLossValues, type LossValues } from '../compile/lossSpec';
import { hyperValues } from '../compile/optimizers';
import { imageSize, type ImageDataset } from '../data/dataset';
import type { GraphDoc } from '../graph/types';
import { augmentBatch, isAugmenting } from './augment';
import { fillBatch, pickReconIndices } from './batches';
import { bytePixels } from './corruption';
import type { StepRunner, TrainingEngine } from './engine';
import { EVAL_BATCH, evaluate } from './evaluate';
import type { TrainEvent } from './events';
import { drawNoise } from './noiseInputs';
import { seededRandom, shuffledIndices } from './random';
import { learningRateAt, type ScheduleContext } from './schedule';
import type { TrainingState } from './state';

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
  engine: TrainingEngine;
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
}

export interface EpochCheckpoint {
  epoch: number;
  step: number;
  bestValLoss: number;
  epochsSinceBest: number;
  /** This epoch reached the lowest validation loss so far. */
  improved: boolean;
  /** The state to save: weights, optimizer slots, noise streams. */
  state(): Promise<TrainingState>;
  /** The model as it stands (for tests that look inside it). */
  runner: StepRunner;
}

const NO_CONTROL: TrainControl = { isStopRequested: () => false, waitWhilePaused: async () => {} };

/** The plan and a runner at the start (restored when resuming), and the shuffle generator. */
interface Session {
  plan: ModelPlan;
  runner: StepRunner;
  /** Advanced past the shuffles of the epochs a resumed run already trained. */
  random: () => number;
}

async function setUp(graph: GraphDoc, dataset: ImageDataset, engine: TrainingEngine, resume: TrainingState | undefined): Promise<Session | { failure: string }> {
  let plan: ModelPlan;
  try {
    plan = planModel(graph);
  } catch (err) {
    return { failure: (err as Error).message };
  }
  const shape = [dataset.height, dataset.width, dataset.channels];
  if (plan.inputShape.join('x') !== shape.join('x')) return { failure: `the Input block is ${plan.inputShape.join('×')} but the dataset's images are ${shape.join('×')}` };
  if (dataset.train.count === 0) return { failure: 'the dataset has no training images' };
  let runner: StepRunner;
  try {
    runner = await engine.createRunner(plan, resume ? { weights: resume.weights, optimizer: resume.optimizer, step: resume.step } : { weights: initialParams(plan.params, graph.training.seed), optimizer: null, step: 0 });
  } catch (err) {
    const message = (err as Error).message;
    return { failure: resume && !(err instanceof CompileError) ? `cannot resume: ${message}` : message };
  }
  const random = seededRandom(graph.training.seed);
  // Replay the shuffles of the finished epochs so the next epoch sees the order it would have seen.
  for (let e = 0; e < (resume?.epoch ?? 0); e++) shuffledIndices(dataset.train.count, random);
  return { plan, runner, random };
}

/** What the epoch loop shares across epochs. */
interface Loop {
  runId: string;
  dataset: ImageDataset;
  plan: ModelPlan;
  runner: StepRunner;
  control: TrainControl;
  emit: (event: TrainEvent) => void;
  now: () => number;
  random: () => number;
  batchSize: number;
  stepsPerEpoch: number;
  /** What the learning rate of each step follows. */
  schedule: ScheduleContext;
  /** Least time between two batch-end events. */
  throttle: number;
  /** When the run (this session of it) started, for elapsedMs. */
  started: number;
  /** Time spent paused since then: elapsedMs leaves it out. */
  pausedMs: number;
  /** Global step, counted on across epochs. */
  step: number;
  /** Two batch buffers: one in the running step, one being filled. */
  buffers: [Float32Array, Float32Array];
  /** One image's room for augmentation, when the run augments. */
  augmentScratch: Float32Array | null;
}

/** The images the epoch's last step trained on (augmented when the run augments). */
interface LastBatch {
  images: Float32Array;
  count: number;
}

type EpochResult = { kind: 'trained'; terms: LossValues; samples: number; trainSeconds: number; last: LastBatch } | { kind: 'stopped' } | { kind: 'failed'; event: TrainEvent };

interface PreparedStep {
  images: Float32Array;
  count: number;
  noise: Map<string, Float32Array>;
  hyper: Float32Array;
}

/** Batch `batch` (from 1) of this epoch's order, as global step `step`'s inputs. */
function prepare(loop: Loop, order: Uint32Array, batch: number, step: number): PreparedStep {
  const { dataset, plan, batchSize } = loop;
  const from = (batch - 1) * batchSize;
  const count = Math.min(batchSize, dataset.train.count - from);
  const images = loop.buffers[batch % 2]!;
  fillBatch(dataset.train, imageSize(dataset), order, from, count, images);
  const training = plan.graph.training;
  if (loop.augmentScratch) augmentBatch(images, count, plan.inputShape as [number, number, number], training.augmentation, training.seed, step - 1, loop.augmentScratch);
  return {
    images,
    count,
    // Training call step − 1 of each stream: the numbers the first engine's layers drew.
    noise: drawNoise(plan.noise, step - 1, count),
    hyper: hyperValues(training.optimizer, learningRateAt(loop.schedule, step), step, klWeightAt(plan.loss, step, loop.stepsPerEpoch)),
  };
}

/** One pass over the training split: a step per batch (the next batch prepared while it runs), batch-end events, pause and stop between batches. */
async function trainEpoch(loop: Loop, epoch: number): Promise<EpochResult> {
  const { runId, dataset, runner, control, now, stepsPerEpoch, throttle } = loop;
  const order = shuffledIndices(dataset.train.count, loop.random);
  const epochStart = now();
  const terms: LossValues = { loss: 0, recon_loss: 0, sparsity_loss: 0, kl_loss: 0 };
  let samples = 0;
  let windowLoss = 0;
  let windowBatches = 0;
  let lastEmit = now();
  let pausedMs = 0;
  let next = prepare(loop, order, 1, loop.step + 1);
  let current = next;
  for (let batch = 1; batch <= stepsPerEpoch; batch++) {
    control.poll?.();
    const pauseStart = now();
    await control.waitWhilePaused();
    const paused = now() - pauseStart;
    pausedMs += paused;
    loop.pausedMs += paused;
    if (control.isStopRequested()) return { kind: 'stopped' };
    current = next;
    loop.step++;
    const running = runner.step(current.images, current.count, current.noise, current.hyper);
    if (batch < stepsPerEpoch) next = prepare(loop, order, batch + 1, loop.step + 1);
    const values = toLossValues(await running);
    if (!Number.isFinite(values.loss)) {
      const message = `the loss became ${values.loss} at epoch ${epoch}, batch ${batch}: training diverged; try a lower learning rate than ${loop.plan.graph.training.learningRate}`;
      return { kind: 'failed', event: { type: 'run-failed', runId, epoch, batch, message } };
    }
    for (const key of LOSS_TERMS) terms[key] += values[key] * current.count;
    samples += current.count;
    windowLoss += values.loss;
    windowBatches++;
    const t = now();
    if (t - lastEmit >= throttle || batch === stepsPerEpoch) {
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
  return { kind: 'trained', terms, samples, trainSeconds: (now() - epochStart - pausedMs) / 1000, last: { images: current.images, count: current.count } };
}

/** The state to checkpoint: the runner's weights and optimizer slots, and the streams' positions (the step count). */
async function stateOf(loop: Loop, epoch: number, bestValLoss: number, epochsSinceBest: number): Promise<TrainingState> {
  const { weights, optimizer } = await loop.runner.snapshot();
  return { epoch, step: loop.step, bestValLoss, epochsSinceBest, weights, optimizer, sampling: loop.plan.noise.map((n) => ({ name: n.layer, calls: loop.step })) };
}

/**
 * Trains a graph on a dataset and reports through `emit`. Resolves with the terminal event
 * (run-finished, run-stopped or run-failed); it never throws for a training fault.
 */
export async function trainAutoencoder(opts: TrainOptions): Promise<TrainEvent> {
  const { runId, graph, dataset, emit, engine } = opts;
  const now = opts.now ?? (() => Date.now());
  const { epochs, earlyStoppingPatience, refreshEvery } = graph.training;
  const started = now();
  const fail = (failed: TrainEvent): TrainEvent => {
    emit(failed);
    return failed;
  };
  const resume = opts.resumeFrom;
  const session = await setUp(graph, dataset, engine, resume);
  if ('failure' in session) return fail({ type: 'run-failed', runId, message: session.failure });
  const { plan, runner } = session;
  // A batch larger than the split would silently be the whole split: use that, and say so.
  const trainCount = dataset.train.count;
  const batchSize = Math.min(graph.training.batchSize, trainCount);
  const note = batchSize < graph.training.batchSize ? `batch size ${graph.training.batchSize} is larger than the ${trainCount} training images: using ${batchSize}` : undefined;
  const stepsPerEpoch = Math.ceil(trainCount / batchSize);
  const size = imageSize(dataset);
  const reconIndices = pickReconIndices(dataset.validation.labels.subarray(0, dataset.validation.count), opts.reconCount ?? 8);
  emit({
    type: 'run-started',
    runId,
    startEpoch: resume?.epoch ?? 0,
    backend: engine.name,
    threads: engine.threads,
    epochs,
    stepsPerEpoch,
    trainCount: dataset.train.count,
    validationCount: dataset.validation.count,
    classNames: dataset.classNames,
    totalParams: plan.analysis.totalParams,
    codeSize: plan.codeSize,
    effectiveBatchSize: batchSize,
    ...(note && { note }),
  });

  const loop: Loop = {
    runId,
    dataset,
    plan,
    runner,
    control: opts.control ?? NO_CONTROL,
    emit,
    now,
    random: session.random,
    batchSize,
    stepsPerEpoch,
    schedule: { learningRate: graph.training.learningRate, schedule: graph.training.schedule, epochs, stepsPerEpoch },
    throttle: opts.batchEventIntervalMs ?? 250,
    started,
    pausedMs: 0,
    step: resume?.step ?? 0,
    buffers: [new Float32Array(batchSize * size), new Float32Array(batchSize * size)],
    augmentScratch: isAugmenting(graph.training.augmentation) ? new Float32Array(size) : null,
  };
  // Training time, the paused stretches left out.
  const elapsed = () => now() - started - loop.pausedMs;
  let lastLoss: number | null = null;
  let lastValLoss: number | null = null;
  let finishedEpochs = resume?.epoch ?? 0;
  let bestValLoss = resume?.bestValLoss ?? Infinity;
  let epochsSinceBest = resume?.epochsSinceBest ?? 0;
  let stoppedEarly = false;
  let epoch = finishedEpochs + 1;
  try {
    for (; epoch <= epochs && !stoppedEarly; epoch++) {
      const trained = await trainEpoch(loop, epoch);
      if (trained.kind === 'failed') return fail(trained.event);
      if (trained.kind === 'stopped') {
        const event: TrainEvent = { type: 'run-stopped', runId, epochs: finishedEpochs, loss: lastLoss, val_loss: lastValLoss, elapsedMs: elapsed() };
        emit(event);
        return event;
      }
      const refresh = epoch % refreshEvery === 0 || epoch === epochs;
      const evaluation = await evaluate({ runner, plan, dataset, reconIndices, klWeight: klWeightAt(plan.loss, loop.step, stepsPerEpoch), refresh, batch: engine.evalBatch ?? EVAL_BATCH });
      if (evaluation.recon && loop.augmentScratch) evaluation.recon.augmented = seenImages(trained.last, size, reconIndices.length);
      lastLoss = trained.terms.loss;
      lastValLoss = evaluation.valLoss;
      finishedEpochs = epoch;
      const improved = lastValLoss < bestValLoss;
      if (improved) {
        bestValLoss = lastValLoss;
        epochsSinceBest = 0;
      } else epochsSinceBest++;
      stoppedEarly = earlyStoppingPatience > 0 && epochsSinceBest >= earlyStoppingPatience && epoch < epochs;
      const best = bestValLoss;
      const since = epochsSinceBest;
      await opts.onEpochEnd?.({ epoch, step: loop.step, bestValLoss: best, epochsSinceBest: since, improved, runner, state: () => stateOf(loop, epoch, best, since) });
      emit({
        type: 'epoch-end',
        runId,
        epoch,
        step: loop.step,
        loss: lastLoss,
        val_loss: lastValLoss,
        // lr: the rate of the epoch's last step (the schedule's curve, one point per epoch).
        metrics: { ...trained.terms, ...prefixed('val_', evaluation.terms), lr: learningRateAt(loop.schedule, loop.step) },
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
    // The engine's own words (a provider's failure names the device and what it could not do).
    return fail({ type: 'run-failed', runId, epoch, message: `training failed: ${(err as Error).message}` });
  } finally {
    await runner.close();
  }
}

/** The first `count` images of the last batch as 0..255 arrays, for the grid's "seen" row. */
function seenImages(last: LastBatch, size: number, count: number): number[][] {
  return Array.from({ length: Math.min(count, last.count) }, (_, i) => Array.from(bytePixels(last.images.subarray(i * size, (i + 1) * size))));
}

function prefixed(prefix: string, values: LossValues): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k}`, v]));
}
