/**
 * What the training loop needs from an engine, and nothing more: core compiles the graph into
 * ONNX models (core/compile) and never runs them; the host (main/backend/engine) runs them on a
 * provider and hands the loop a StepRunner.
 */
import type { ModelPlan } from '../compile/plan';
import type { SavedTensor } from './state';

export interface EvalOutput {
  /** The loss terms over the batch (batch means, LOSS_TERMS' order). */
  losses: Float32Array;
  /** [count, codeSize], the mean for a VAE. */
  code: Float32Array;
  /** [count, h, w, c], in the output's range. */
  reconstruction: Float32Array;
}

export interface StepRunner {
  /**
   * One optimizer step on `count` images ([count, h, w, c] in [0, 1]), with the step's random
   * tensors (by input name) and per-step scalars (core/compile/optimizers HYPER); resolves with the
   * batch's loss terms. Calls never overlap: the next starts after this one resolves.
   */
  step(images: Float32Array, count: number, noise: ReadonlyMap<string, Float32Array>, hyper: Float32Array): Promise<Float32Array>;
  /** The model in inference mode on `count` images with the current weights. */
  evaluate(images: Float32Array, count: number, klWeight: number): Promise<EvalOutput>;
  /** The current weights (batch norm's statistics included) and optimizer state, named as checkpoints name them. */
  snapshot(): Promise<{ weights: SavedTensor[]; optimizer: SavedTensor[] }>;
  close(): Promise<void>;
}

/** Where a runner starts: initial or saved weights, and saved optimizer state (null: zeros). */
export interface RunnerStart {
  weights: SavedTensor[];
  optimizer: SavedTensor[] | null;
  /** Optimizer steps already taken (a resumed run's count). */
  step: number;
}

export interface TrainingEngine {
  /** The provider and device, as the badge and run.json name them ("cpu", "webgpu (nvidia ampere)"). */
  name: string;
  /** Threads that compute each step (one intra-op thread per core on the CPU). */
  threads: number;
  createRunner(plan: ModelPlan, start: RunnerStart): Promise<StepRunner>;
  /** Most images evaluated in one run (bounded by device memory); default 256. */
  evalBatch?: number;
}
