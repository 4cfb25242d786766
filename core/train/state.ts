import * as tf from '@tensorflow/tfjs-core';
import type { CompiledModel } from '../compile/compile';
import { noiseLayers } from '../compile/noise';

/** A tensor as plain data, for checkpoints: written to disk by the backend, restored on resume. */
export interface SavedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Everything a run needs to continue exactly where an epoch ended. */
export interface TrainingState {
  epoch: number;
  step: number;
  bestValLoss: number;
  epochsSinceBest: number;
  weights: SavedTensor[];
  optimizer: SavedTensor[];
  /**
   * Where each seeded noise layer's stream stands (its training calls), by layer name, so a resumed
   * run draws the noise the uninterrupted run would: the VAE's sampling, Dropout, GaussianNoise,
   * RandomMask. Absent in checkpoints written before; VAE layers only in those written before
   * the other layers were seeded.
   */
  sampling?: NoiseState[];
}

export interface NoiseState {
  name: string;
  calls: number;
}

/** Everything to continue from the end of an epoch (what onEpochEnd is given). */
export async function captureState(c: { compiled: CompiledModel; optimizer: tf.Optimizer; epoch: number; step: number; bestValLoss: number; epochsSinceBest: number }): Promise<TrainingState> {
  return {
    epoch: c.epoch,
    step: c.step,
    bestValLoss: c.bestValLoss,
    epochsSinceBest: c.epochsSinceBest,
    weights: await captureWeights(c.compiled),
    optimizer: await captureOptimizer(c.optimizer),
    sampling: captureNoise(c.compiled),
  };
}

export function captureNoise(compiled: CompiledModel): NoiseState[] {
  return noiseLayers(compiled.trainModel).map((l) => ({ name: l.name, calls: l.calls }));
}

/**
 * Sets each noise layer's stream where it stood. A layer the saved state does not list (an older
 * checkpoint, or one from before Dropout and noise were seeded) continues from `step`: every
 * training step, on one thread or two, calls each layer once. A saved layer the model lacks means
 * the graph changed.
 */
export function restoreNoise(compiled: CompiledModel, saved: NoiseState[] | undefined, step: number): void {
  const layers = noiseLayers(compiled.trainModel);
  for (const s of saved ?? []) {
    if (!layers.some((l) => l.name === s.name)) throw new Error(`the checkpoint has noise state for ${s.name}, which the graph does not have: was the graph changed?`);
  }
  const byName = new Map((saved ?? []).map((s) => [s.name, s.calls]));
  for (const layer of layers) layer.calls = byName.get(layer.name) ?? step;
}

export async function captureWeights(compiled: CompiledModel): Promise<SavedTensor[]> {
  const variables = compiled.model.weights;
  return Promise.all(variables.map(async (v) => ({ name: v.originalName, shape: v.shape as number[], data: new Float32Array(await v.read().data()) })));
}

export async function captureOptimizer(optimizer: tf.Optimizer): Promise<SavedTensor[]> {
  const named = await optimizer.getWeights();
  const out = await Promise.all(named.map(async ({ name, tensor }) => ({ name, shape: tensor.shape, data: new Float32Array(await tensor.data()) })));
  return out;
}

/** Puts saved weights back, matching by name and checking every shape: a mismatch is an error, never a silent skip. */
export function restoreWeights(compiled: CompiledModel, saved: SavedTensor[]): void {
  const byName = new Map(saved.map((s) => [s.name, s]));
  const values = compiled.model.weights.map((v) => {
    const s = byName.get(v.originalName);
    if (!s) throw new Error(`the checkpoint has no weights for ${v.originalName}: was the graph changed?`);
    if (s.shape.join('x') !== v.shape.join('x')) throw new Error(`checkpoint weights ${v.originalName} are ${s.shape.join('×')}, the model needs ${v.shape.join('×')}`);
    return tf.tensor(s.data, s.shape);
  });
  compiled.model.setWeights(values);
  tf.dispose(values);
}

export async function restoreOptimizer(optimizer: tf.Optimizer, saved: SavedTensor[]): Promise<void> {
  if (!saved.length) return;
  const named = saved.map((s) => ({ name: s.name, tensor: tf.tensor(s.data, s.shape) }));
  await optimizer.setWeights(named);
  // setWeights keeps its own variables; the staging tensors can go.
  tf.dispose(named.map((n) => n.tensor));
}
