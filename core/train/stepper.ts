/**
 * How one training step runs: where the batch's pixels come from and which threads compute it.
 * The epoch loop picks a stepper once (chooseStepper) and never branches on the path again; a new
 * data path (a GPU one that slices batches on the device) is a new BatchStepper.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompiledModel } from '../compile/compile';
import type { ImageSplit } from '../data/dataset';
import type { GraphDoc } from '../graph/types';
import { fillBatch, HostBatchSource, type BatchSource } from './batches';
import { lossTerms, toLossValues, type LossValues } from './losses';
import { ParallelGroup } from './parallel';
import type { SavedTensor } from './state';

/** One batch to train on: rows [from, from + count) of this epoch's order of the training split. */
export interface BatchRequest {
  /** The batch's number in its epoch, from 1 (named in messages about it). */
  batch: number;
  order: ArrayLike<number>;
  from: number;
  count: number;
  klWeight: number;
  /**
   * Asked only when a stepper holds unread losses: true when they must come back now (a batch-end
   * event is due, or the epoch ends). Lazy, so the fast path does not read the clock for nothing.
   */
  readBackDue: () => boolean;
}

/** A batch's loss terms as read back from the device. */
export interface BatchLoss {
  values: LossValues;
  batch: number;
  count: number;
}

export interface BatchStepper {
  /** Runs one optimizer step; returns the losses read back by this call (none while they wait on the device), in batch order. */
  step(request: BatchRequest): Promise<BatchLoss[]>;
  /** Frees what the stepper holds (unread losses, the second thread). */
  close(): void;
}

interface StepperContext {
  compiled: CompiledModel;
  optimizer: tf.Optimizer;
  split: ImageSplit;
  imageShape: [number, number, number];
  /** Read the losses back once every this many batches at most. */
  readEvery: number;
}

/**
 * This thread alone, on batches from `source` (host memory, or the GPU's). Loss terms stay on the
 * device and are read back together every `readEvery` batches or when due, so the GPU or wasm queue
 * is not drained after every step.
 */
export class OneThreadStepper implements BatchStepper {
  private readonly pending: { terms: tf.Tensor1D; batch: number; count: number }[] = [];

  constructor(
    private readonly ctx: StepperContext,
    private readonly source: BatchSource,
  ) {}

  async step(r: BatchRequest): Promise<BatchLoss[]> {
    const { compiled, optimizer } = this.ctx;
    const xs = this.source.batch(r.order, r.from, r.count);
    let terms: tf.Tensor1D | null = null;
    optimizer.minimize(() => {
      const outputs = compiled.trainModel.apply(xs, { training: true }) as tf.Tensor[];
      terms = tf.keep(lossTerms(compiled.loss, outputs, xs, r.klWeight));
      return tf.reshape(tf.slice(terms, 0, 1), []) as tf.Scalar;
    })?.dispose();
    xs.dispose();
    this.pending.push({ terms: terms!, batch: r.batch, count: r.count });
    if (this.pending.length < this.ctx.readEvery && !r.readBackDue()) return [];
    const stacked = tf.stack(this.pending.map((p) => p.terms));
    const all = await stacked.data();
    stacked.dispose();
    const read = this.pending.map((p, i) => ({ values: toLossValues(all.subarray(i * 4, i * 4 + 4)), batch: p.batch, count: p.count }));
    this.disposePending();
    return read;
  }

  close(): void {
    this.disposePending();
  }

  private disposePending(): void {
    tf.dispose(this.pending.map((p) => p.terms));
    this.pending.length = 0;
  }
}

/**
 * Each batch split across this thread and a follower (core/train/parallel.ts); every step reads
 * its loss back. When the follower fails, the rest of the run goes on with this thread alone.
 */
export class ParallelStepper implements BatchStepper {
  private alone: OneThreadStepper | null = null;
  private readonly size: number;

  constructor(
    private readonly ctx: StepperContext,
    private group: ParallelGroup,
    private readonly onThreads: (threads: number, reason: string | null) => void,
  ) {
    this.size = ctx.imageShape[0] * ctx.imageShape[1] * ctx.imageShape[2];
  }

  async step(r: BatchRequest): Promise<BatchLoss[]> {
    if (this.alone) return this.alone.step(r);
    fillBatch(this.ctx.split, this.size, r.order, r.from, r.count, this.group.batchBuffer);
    const values = toLossValues(this.group.run(r.count, r.klWeight));
    if (this.group.broken) {
      this.onThreads(1, this.group.broken);
      this.group.close();
      this.alone = new OneThreadStepper(this.ctx, new HostBatchSource(this.ctx.split, this.ctx.imageShape, this.group.batchBuffer));
    }
    return [{ values, batch: r.batch, count: r.count }];
  }

  close(): void {
    if (this.alone) this.alone.close();
    else this.group.close();
  }
}

/**
 * Two threads when asked for, the backend registered a launcher and the model allows it; else
 * this thread on `source`. Tells `onThreads` which, and why not two.
 */
export async function chooseStepper(
  ctx: StepperContext & {
    /** Batches for one thread: the host's or the device's (on a GPU, the only path). */
    source: BatchSource;
    graph: GraphDoc;
    batchSize: number;
    backend: string;
    parallel: boolean;
    weights: () => Promise<SavedTensor[]>;
    optimizerState: SavedTensor[];
  },
  onThreads: (threads: number, reason: string | null) => void,
): Promise<BatchStepper> {
  const alone = () => new OneThreadStepper(ctx, ctx.source);
  if (!ctx.parallel) {
    onThreads(1, 'parallel training is off');
    return alone();
  }
  try {
    const started = await ParallelGroup.start({
      graph: ctx.graph,
      compiled: ctx.compiled,
      optimizer: ctx.optimizer,
      optimizerState: ctx.optimizerState,
      weights: await ctx.weights(),
      batchSize: ctx.batchSize,
      imageShape: ctx.imageShape,
      backend: ctx.backend,
    });
    if (started instanceof ParallelGroup) {
      onThreads(2, null);
      return new ParallelStepper(ctx, started, onThreads);
    }
    onThreads(1, started.reason);
  } catch (err) {
    onThreads(1, (err as Error).message);
  }
  return alone();
}
