/**
 * Data-parallel training across two threads, for backends that use one core each (wasm, cpu).
 *
 * The leader (the trainer's thread) and one follower thread hold the same model and the same
 * optimizer. Each step the leader cuts the batch into the shared batch buffer; the leader computes
 * the gradients of the first half of the rows and the follower those of the rest, each writes its
 * own into a shared slot, and both then average the two weighted by their row counts (in the same
 * order, so bit for bit the same) and apply the identical optimizer update: the weights never
 * drift apart and nothing but gradients crosses between the threads. SharedArrayBuffer + Atomics,
 * no messages in the hot loop. Gradient slots are double-buffered by step parity, so a thread
 * still reading step s never sees step s+1 being written.
 *
 * Only losses that are means over the batch's images split this way; models whose loss or layers
 * depend on the batch as a whole (BatchNorm, KL sparsity) train on one thread: `parallelBlocker`
 * says why. Noise layers (the VAE's sampling, Dropout, GaussianNoise, RandomMask) draw each row's
 * noise as it would be drawn unsplit (SeededNoiseLayer.window), so their results match one thread.
 *
 * Pure TypeScript: the thread itself is started by a launcher the Node side registers.
 */
import * as tf from '@tensorflow/tfjs-core';
import { compileGraph, type CompiledModel } from '../compile/compile';
import { noiseLayers } from '../compile/noise';
import type { GraphDoc } from '../graph/types';
import { lossTerms } from './losses';
import { captureNoise, restoreNoise, restoreOptimizer, restoreWeights, type NoiseState, type SavedTensor } from './state';

/** What a follower needs to mirror the leader. */
export interface FollowerInit {
  shared: SharedArrayBuffer;
  graph: GraphDoc;
  batchSize: number;
  imageShape: [number, number, number];
  gradSize: number;
  /** The leader's backend, which the follower must use too (the same kernels give the same updates). */
  backend: string;
  weights: SavedTensor[];
  optimizer: SavedTensor[];
  /** The leader's noise streams (a resumed run's are not at zero): the follower's must draw the same noise. */
  sampling: NoiseState[];
}

export interface FollowerHandle {
  /** Ends the follower thread. */
  close(): void;
}

/** Starts a follower thread running `runFollower(init)`; resolves once its model is ready, null if threads are unavailable. */
export type ParallelLauncher = (init: FollowerInit) => Promise<FollowerHandle | null>;

let launcher: ParallelLauncher | null = null;

/** The Node side registers how to start a follower thread (core cannot import worker_threads). */
export function setParallelLauncher(l: ParallelLauncher | null): void {
  launcher = l;
}

export function getParallelLauncher(): ParallelLauncher | null {
  return launcher;
}

/** Why this graph must train on one thread, or null when it can be split across threads. */
export function parallelBlocker(graph: GraphDoc): string | null {
  for (const node of graph.nodes) {
    if (node.kind === 'BatchNorm') return 'BatchNorm uses whole-batch statistics';
    if (node.kind === 'Bottleneck' && node.params.sparsity === 'kl') return 'KL sparsity depends on the whole batch';
  }
  return null;
}

// Control words (Int32).
const SEQ = 0; // step number the leader posted
const CMD = 1; // STEP or STOP
const DONE0 = 2; // last step whose leader share is written
const DONE1 = 3; // last step whose follower share is written
const COUNT = 4; // rows in this batch
const SPLIT = 5; // rows the leader takes
const FAILED = 6; // 1 when the follower failed, 2 when the leader closed the group
const PHASE = 7; // where the follower is (1 waiting for a step, 2 computing, 3 waiting for the leader, 4 applying): for error messages
const CTRL_WORDS = 16;
const STEP = 1;
const STOP = 2;
const WAIT_LIMIT_MS = 60_000;

/**
 * Blocks until the step counter ctrl[index] reaches `step` (Atomics.wait: fine in workers and in
 * Node's main thread). Reached, not equal: a waiter taken off the CPU for a moment may find the
 * other thread already a step further, and step s's slots stay whole until s + 2 (parity).
 * Throws when the other thread failed or the group closed, or after `limitMs` without an answer.
 */
export function waitForStep(ctrl: Int32Array, index: number, step: number, limitMs = WAIT_LIMIT_MS): void {
  const start = Date.now();
  for (;;) {
    const seen = Atomics.load(ctrl, index);
    if (seen >= step) return;
    const failed = Atomics.load(ctrl, FAILED);
    if (failed) throw new Error(failed === 2 ? 'closed' : 'the second training thread failed');
    if (Date.now() - start > limitMs) throw new Error(`the second training thread stopped answering (waiting for word ${index} = ${step}; control ${Array.from(ctrl.subarray(0, 8)).join(',')})`);
    Atomics.wait(ctrl, index, seen, Math.min(1000, limitMs));
  }
}

/** Typed views over the shared memory: control words, kl weight, the batch, gradient and term slots. */
class SharedViews {
  readonly ctrl: Int32Array;
  readonly f64: Float64Array;
  readonly batch: Float32Array;
  readonly terms: Float32Array;
  private readonly grads: Float32Array;

  static bytes(batchSize: number, imageSize: number, gradSize: number): number {
    return CTRL_WORDS * 4 + 8 * 4 + 4 * (batchSize * imageSize + 8 + 4 * gradSize);
  }

  constructor(
    readonly shared: SharedArrayBuffer,
    batchSize: number,
    imageSize: number,
    readonly gradSize: number,
  ) {
    let at = 0;
    this.ctrl = new Int32Array(shared, at, CTRL_WORDS);
    at += CTRL_WORDS * 4;
    this.f64 = new Float64Array(shared, at, 4);
    at += 8 * 4;
    this.batch = new Float32Array(shared, at, batchSize * imageSize);
    at += 4 * batchSize * imageSize;
    this.terms = new Float32Array(shared, at, 8);
    at += 4 * 8;
    this.grads = new Float32Array(shared, at, 4 * gradSize);
  }

  gradSlot(rank: number, step: number): Float32Array {
    const i = rank * 2 + (step & 1);
    return this.grads.subarray(i * this.gradSize, (i + 1) * this.gradSize);
  }

  waitFor(index: number, step: number): void {
    waitForStep(this.ctrl, index, step);
  }

  post(index: number, value: number): void {
    Atomics.store(this.ctrl, index, value);
    Atomics.notify(this.ctrl, index);
  }
}

/** One thread's half of the data-parallel step: its model, optimizer and variables, in a fixed order. */
class Replica {
  private readonly vars: tf.Variable[];
  private readonly avg: Float32Array;

  constructor(
    private readonly compiled: CompiledModel,
    private readonly optimizer: tf.Optimizer,
    private readonly views: SharedViews,
    private readonly imageShape: [number, number, number],
  ) {
    // The order minimize() uses (registration order), so optimizer state lines up with one-thread runs.
    const mine = new Set(compiled.trainModel.trainableWeights.map((w) => (w.read() as tf.Variable).name));
    this.vars = Object.values(tf.engine().registeredVariables).filter((v) => v.trainable && mine.has(v.name));
    const size = this.vars.reduce((n, v) => n + v.size, 0);
    if (size !== views.gradSize) throw new Error(`parallel training: ${size} trainable values, the shared buffer holds ${views.gradSize}`);
    this.avg = new Float32Array(size);
  }

  static gradSize(compiled: CompiledModel): number {
    return compiled.trainModel.trainableWeights.reduce((n, w) => n + w.read().size, 0);
  }

  /** Gradients of the loss over rows [from, from + count) of a batch of `rows`, written to `out`; returns the 4 loss terms. */
  share(from: number, count: number, rows: number, klWeight: number, out: Float32Array): Float32Array {
    const noise = noiseLayers(this.compiled.trainModel);
    if (count === 0) {
      out.fill(0);
      for (const s of noise) s.calls++;
      return new Float32Array(4);
    }
    const size = this.imageShape[0] * this.imageShape[1] * this.imageShape[2];
    for (const s of noise) s.window = { rows, offset: from };
    const xs = tf.tensor4d(this.views.batch.subarray(from * size, (from + count) * size), [count, ...this.imageShape]);
    let terms: tf.Tensor1D | null = null;
    try {
      const { value, grads } = this.optimizer.computeGradients(() => {
        const outputs = this.compiled.trainModel.apply(xs, { training: true }) as tf.Tensor[];
        terms = tf.keep(lossTerms(this.compiled.loss, outputs, xs, klWeight));
        return tf.reshape(tf.slice(terms, 0, 1), []) as tf.Scalar;
      }, this.vars);
      value.dispose();
      let at = 0;
      for (const v of this.vars) {
        const g = grads[v.name];
        if (g) out.set(g.dataSync() as Float32Array, at);
        else out.fill(0, at, at + v.size);
        at += v.size;
      }
      tf.dispose(grads);
      return (terms as tf.Tensor1D | null)!.dataSync() as Float32Array;
    } finally {
      for (const s of noise) s.window = null;
      (terms as tf.Tensor1D | null)?.dispose();
      xs.dispose();
    }
  }

  /** Averages both threads' gradients of `step` by their row counts and applies the optimizer update. */
  apply(step: number, count0: number, count1: number): void {
    const g0 = this.views.gradSlot(0, step);
    const g1 = this.views.gradSlot(1, step);
    const total = count0 + count1;
    const w0 = count0 / total;
    const w1 = count1 / total;
    const avg = this.avg;
    for (let i = 0; i < avg.length; i++) avg[i] = g0[i]! * w0 + g1[i]! * w1;
    const named: { name: string; tensor: tf.Tensor }[] = [];
    let at = 0;
    for (const v of this.vars) {
      named.push({ name: v.name, tensor: tf.tensor(avg.subarray(at, at + v.size), v.shape) });
      at += v.size;
    }
    this.optimizer.applyGradients(named);
    tf.dispose(named.map((n) => n.tensor));
  }
}

/** The leader's side: owns the follower thread and runs a step across both. */
export class ParallelGroup {
  private step = 0;
  /** Set when the follower failed: the step that saw it finished on this thread, and the trainer should close the group. */
  broken: string | null = null;

  private constructor(
    private readonly compiled: CompiledModel,
    private readonly views: SharedViews,
    private readonly replica: Replica,
    private readonly follower: FollowerHandle,
  ) {}

  /** The buffer the trainer fills each batch into (shared with the follower). */
  get batchBuffer(): Float32Array {
    return this.views.batch;
  }

  /**
   * Starts a follower mirroring this model and optimizer, or returns null (with the reason) when
   * no launcher is registered, the graph cannot be split, or the thread cannot start.
   */
  static async start(args: {
    graph: GraphDoc;
    compiled: CompiledModel;
    optimizer: tf.Optimizer;
    optimizerState: SavedTensor[];
    weights: SavedTensor[];
    batchSize: number;
    imageShape: [number, number, number];
    backend: string;
  }): Promise<ParallelGroup | { reason: string }> {
    const launch = getParallelLauncher();
    if (!launch) return { reason: 'no second thread on this backend' };
    const blocker = parallelBlocker(args.graph);
    if (blocker) return { reason: blocker };
    if (args.batchSize < 2) return { reason: 'a batch of one cannot be split' };
    const imageSize = args.imageShape[0] * args.imageShape[1] * args.imageShape[2];
    const gradSize = Replica.gradSize(args.compiled);
    const shared = new SharedArrayBuffer(SharedViews.bytes(args.batchSize, imageSize, gradSize));
    const views = new SharedViews(shared, args.batchSize, imageSize, gradSize);
    const replica = new Replica(args.compiled, args.optimizer, views, args.imageShape);
    const handle = await launch({
      shared,
      graph: args.graph,
      batchSize: args.batchSize,
      imageShape: args.imageShape,
      gradSize,
      backend: args.backend,
      weights: args.weights,
      optimizer: args.optimizerState,
      sampling: captureNoise(args.compiled),
    });
    if (!handle) return { reason: 'the second thread could not start' };
    return new ParallelGroup(args.compiled, views, replica, handle);
  }

  /** One optimizer step over the `count` rows in batchBuffer; returns the batch's loss terms (row-weighted means). */
  run(count: number, klWeight: number): Float32Array {
    const v = this.views;
    const s = ++this.step;
    const count0 = Math.ceil(count / 2);
    const count1 = count - count0;
    Atomics.store(v.ctrl, COUNT, count);
    Atomics.store(v.ctrl, SPLIT, count0);
    v.f64[0] = klWeight;
    Atomics.store(v.ctrl, CMD, STEP);
    v.post(SEQ, s);
    const mine = this.replica.share(0, count0, count, klWeight, v.gradSlot(0, s));
    v.post(DONE0, s);
    try {
      v.waitFor(DONE1, s);
    } catch (err) {
      // The follower is gone: finish this step on this thread alone and stay there.
      this.broken = (err as Error).message;
      for (const layer of noiseLayers(this.compiled.trainModel)) layer.calls--;
      const all = this.replica.share(0, count, count, klWeight, v.gradSlot(0, s));
      this.replica.apply(s, count, 0);
      return all;
    }
    const terms = new Float32Array(4);
    for (let k = 0; k < 4; k++) terms[k] = (mine[k]! * count0 + v.terms[k]! * count1) / count;
    this.replica.apply(s, count0, count1);
    return terms;
  }

  close(): void {
    Atomics.store(this.views.ctrl, CMD, STOP);
    this.views.post(FAILED, 2);
    this.views.post(DONE0, -1);
    this.views.post(SEQ, this.step + 1);
    this.follower.close();
  }
}

/**
 * The follower thread's loop: builds the same model, takes the leader's weights and optimizer state,
 * calls `ready`, then serves steps until told to stop. Any failure is flagged to the leader.
 */
export async function runFollower(init: FollowerInit, makeOptimizer: (graph: GraphDoc) => tf.Optimizer, ready: () => void): Promise<void> {
  const size = init.imageShape[0] * init.imageShape[1] * init.imageShape[2];
  const views = new SharedViews(init.shared, init.batchSize, size, init.gradSize);
  let compiled: CompiledModel | null = null;
  let optimizer: tf.Optimizer | null = null;
  try {
    compiled = compileGraph(init.graph, init.graph.training.seed);
    restoreWeights(compiled, init.weights);
    restoreNoise(compiled, init.sampling, 0);
    optimizer = makeOptimizer(init.graph);
    await restoreOptimizer(optimizer, init.optimizer);
    const replica = new Replica(compiled, optimizer, views, init.imageShape);
    ready();
    let seen = 0;
    for (;;) {
      Atomics.store(views.ctrl, PHASE, 1);
      Atomics.wait(views.ctrl, SEQ, seen);
      const s = Atomics.load(views.ctrl, SEQ);
      if (s === seen) continue;
      seen = s;
      if (Atomics.load(views.ctrl, CMD) === STOP) break;
      const count = Atomics.load(views.ctrl, COUNT);
      const count0 = Atomics.load(views.ctrl, SPLIT);
      const klWeight = views.f64[0]!;
      Atomics.store(views.ctrl, PHASE, 2);
      const terms = replica.share(count0, count - count0, count, klWeight, views.gradSlot(1, s));
      views.terms.set(terms);
      views.post(DONE1, s);
      Atomics.store(views.ctrl, PHASE, 3);
      views.waitFor(DONE0, s);
      Atomics.store(views.ctrl, PHASE, 4);
      replica.apply(s, count0, count - count0);
    }
  } catch (err) {
    if (Atomics.load(views.ctrl, FAILED) === 2) return;
    views.post(FAILED, 1);
    throw err;
  } finally {
    optimizer?.dispose();
    compiled?.dispose();
  }
}
