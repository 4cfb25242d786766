/**
 * The training step as one ONNX model: the forward pass in training mode, every loss term, the
 * backward pass (tape.ts and each primitive's rule) and the optimizer's update. Random tensors and
 * per-step scalars are inputs; the new parameters, optimizer state and moving statistics are
 * outputs, fed back as the next step's inputs by the host.
 *
 * Inputs: image [N, H, W, C]; params [P]; stats [S] (batch norm's moving statistics, when any);
 * opt_<slot> [P] per optimizer slot; one [N, …] tensor per noise term; hyper [4] (HYPER's order).
 * Outputs: params_next, stats_next, opt_<slot>_next, losses [4] (LOSS_TERMS' order, batch means).
 */
import { OnnxBuilder, type Dim } from '../onnx/builder';
import { flatLayout, flatten, unflatten, type FlatLayout } from './flatParams';
import { imageInput, writeForward, type ForwardResult } from './forward';
import { writeLosses } from './lossModel';
import { HYPER, optimizerSlots, writeUpdate } from './optimizers';
import type { ModelPlan } from './plan';
import { Tape } from './tape';
import type { ModelTarget } from './ops/context';

export const STEP_NAMES = {
  image: 'image',
  params: 'params',
  stats: 'stats',
  hyper: 'hyper',
  losses: 'losses',
  grad: 'grad',
  slot: (slot: string) => `opt_${slot}`,
  next: (name: string) => `${name}_next`,
} as const;

export interface ModelLayouts {
  trainable: FlatLayout;
  /** Batch norm's moving statistics (empty when the graph has no BatchNorm). */
  stats: FlatLayout;
}

export function modelLayouts(plan: ModelPlan): ModelLayouts {
  return { trainable: flatLayout(plan.params.filter((p) => p.trainable)), stats: flatLayout(plan.params.filter((p) => !p.trainable)) };
}

/** The random inputs of a plan in training, by name, with their per-row shapes. */
export function noiseInputs(plan: ModelPlan): { name: string; rowShape: number[] }[] {
  return plan.noise.flatMap((n) => [n.keep, n.add].filter((t): t is string => t !== null).map((name) => ({ name, rowShape: n.rowShape })));
}

/** Declares the image and parameter inputs every model of a plan reads; returns the parameter lookup. */
export function declareParams(g: OnnxBuilder, plan: ModelPlan, layouts: ModelLayouts): { params: Map<string, string>; flatParams: string; flatStats: string | null } {
  const flatParams = g.input(STEP_NAMES.params, [layouts.trainable.total]);
  const flatStats = layouts.stats.total ? g.input(STEP_NAMES.stats, [layouts.stats.total]) : null;
  const params = new Map([...unflatten(g, flatParams, layouts.trainable), ...(flatStats ? unflatten(g, flatStats, layouts.stats) : [])]);
  return { params, flatParams, flatStats };
}

export function lookup(map: ReadonlyMap<string, string>, what: string): (name: string) => string {
  return (name) => {
    const v = map.get(name);
    if (!v) throw new Error(`the model has no ${what} "${name}"`);
    return v;
  };
}

export interface StepModelOptions {
  /** Also output the flat gradient as `grad` (tests compare it with finite differences and the first engine). */
  gradientOutput?: boolean;
  /** The provider kind the model is for (see OpContext.target); default cpu. */
  target?: ModelTarget;
}

export function buildStepModel(plan: ModelPlan, opts: StepModelOptions = {}): Uint8Array {
  const g = new OnnxBuilder();
  const layouts = modelLayouts(plan);
  const [h, w, c] = plan.inputShape;
  const batch: Dim = 'N';
  const image = g.input(STEP_NAMES.image, [batch, h, w, c]);
  const { params, flatParams, flatStats } = declareParams(g, plan, layouts);
  const slots = optimizerSlots(plan.graph.training).map((s) => g.input(STEP_NAMES.slot(s), [layouts.trainable.total]));
  const noise = new Map(noiseInputs(plan).map((n) => [n.name, g.input(n.name, [batch, ...n.rowShape])]));
  const hyperInput = g.input(STEP_NAMES.hyper, [HYPER.length]);
  const [learningRate, biasCorrection1, biasCorrection2, klWeight] = g.opN('Split', [hyperInput, g.int64([1, 1, 1, 1])], 4, { axis: { i: 0 } }, 'hyper') as [string, string, string, string];

  const tape = new Tape();
  const trainableNames = layouts.trainable.entries.map((e) => params.get(e.name)!);
  tape.watch(...trainableNames);
  const op = { g, tape, training: true, target: opts.target ?? 'cpu' };
  const forward: ForwardResult = writeForward(op, plan, { input: imageInput(plan, image), param: lookup(params, 'parameter'), noise: lookup(noise, 'noise input') });
  const losses = writeLosses(g, plan, forward, image, klWeight);
  const grads = tape.gradients(g, losses.seeds, trainableNames);
  const gradByParam = new Map(layouts.trainable.entries.map((e) => [e.name, grads.get(params.get(e.name)!) ?? null]));
  const flatGrad = flatten(g, gradByParam, layouts.trainable, 'grad');
  const update = writeUpdate(g, plan.graph.training, flatParams, flatGrad, slots, { learningRate, biasCorrection1, biasCorrection2 });

  g.output(update.params, STEP_NAMES.next(STEP_NAMES.params), [layouts.trainable.total]);
  if (flatStats) {
    const next = new Map(layouts.stats.entries.map((e) => [e.name, forward.updates.get(e.name) ?? params.get(e.name)!]));
    g.output(flatten(g, next, layouts.stats, 'stats_next_flat'), STEP_NAMES.next(STEP_NAMES.stats), [layouts.stats.total]);
  }
  optimizerSlots(plan.graph.training).forEach((s, i) => g.output(update.slots[i]!, STEP_NAMES.next(STEP_NAMES.slot(s)), [layouts.trainable.total]));
  g.output(losses.stacked, STEP_NAMES.losses, [4]);
  if (opts.gradientOutput) g.output(flatGrad, STEP_NAMES.grad, [layouts.trainable.total]);
  return g.model('train_step', `${plan.graph.name}: one training step (forward, loss, backward, ${plan.graph.training.optimizer} update), written by Bottleneck.`);
}
