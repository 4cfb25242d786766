/** Runs one training step of a plan in ONNX Runtime (CPU) for the engine's tests: losses, flat gradient and what comes next. */
import * as ort from 'onnxruntime-node';
import { joinFlat, splitFlat } from '../../../core/compile/flatParams';
import { hyperValues, optimizerSlots } from '../../../core/compile/optimizers';
import type { ModelPlan } from '../../../core/compile/plan';
import { buildStepModel, modelLayouts, STEP_NAMES } from '../../../core/compile/stepModel';
import type { SavedTensor } from '../../../core/train/state';

export interface OneStep {
  losses: Float32Array;
  /** Gradient per trainable parameter, by name. */
  grads: Map<string, Float32Array>;
  next: SavedTensor[];
  statsNext: SavedTensor[];
  /** Each optimizer slot after the step, flat, by slot name. */
  slotsNext: Map<string, Float32Array>;
}

export async function runOneStep(plan: ModelPlan, weights: readonly SavedTensor[], images: Float32Array, count: number, noise: ReadonlyMap<string, Float32Array>, opts: { klWeight?: number; step?: number; providers?: string[]; slots?: ReadonlyMap<string, Float32Array>; target?: 'cpu' | 'gpu' } = {}): Promise<OneStep> {
  const layouts = modelLayouts(plan);
  const session = await ort.InferenceSession.create(buildStepModel(plan, { gradientOutput: true, target: opts.target ?? (opts.providers?.includes('webgpu') ? 'gpu' : 'cpu') }), { executionProviders: opts.providers ?? ['cpu'], intraOpNumThreads: 1 });
  try {
    const [h, w, c] = plan.inputShape;
    const t = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', data, dims);
    const training = plan.graph.training;
    const feeds: Record<string, ort.Tensor> = {
      [STEP_NAMES.image]: t(images, [count, h, w, c]),
      [STEP_NAMES.params]: t(joinFlat(weights, layouts.trainable, 'weights'), [layouts.trainable.total]),
      [STEP_NAMES.hyper]: t(hyperValues(training.optimizer, training.learningRate, opts.step ?? 1, opts.klWeight ?? 0), [4]),
    };
    if (layouts.stats.total) feeds[STEP_NAMES.stats] = t(joinFlat(weights, layouts.stats, 'weights'), [layouts.stats.total]);
    for (const s of optimizerSlots(training)) feeds[STEP_NAMES.slot(s)] = t(opts.slots?.get(s) ?? new Float32Array(layouts.trainable.total), [layouts.trainable.total]);
    for (const n of plan.noise) {
      for (const name of [n.keep, n.add]) if (name) feeds[name] = t(noise.get(name)!, [count, ...n.rowShape]);
    }
    const out = await session.run(feeds);
    const data = (name: string) => out[name]!.data as Float32Array;
    return {
      losses: data(STEP_NAMES.losses),
      grads: new Map(splitFlat(data(STEP_NAMES.grad), layouts.trainable).map((g) => [g.name, g.data])),
      next: splitFlat(data(STEP_NAMES.next(STEP_NAMES.params)), layouts.trainable),
      statsNext: layouts.stats.total ? splitFlat(data(STEP_NAMES.next(STEP_NAMES.stats)), layouts.stats) : [],
      slotsNext: new Map(optimizerSlots(training).map((s) => [s, data(STEP_NAMES.next(STEP_NAMES.slot(s)))])),
    };
  } finally {
    await session.release();
  }
}
