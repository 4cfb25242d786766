/**
 * The training engine over ONNX Runtime: one session for the training step and one for
 * evaluation, compiled from the graph for the chosen provider. The parameters, batch norm's
 * statistics and the optimizer's slots are flat tensors handed from one step's outputs to the
 * next step's inputs without a copy in JavaScript (onnxruntime-node returns outputs as CPU tensors,
 * so on a GPU they cross the bus each step: about a megabyte for the templates).
 */
import { native } from './nativeGate';
import * as ort from 'onnxruntime-node';
import { EVAL_NAMES, buildEvalModel } from '../../../core/compile/evalModel';
import { joinFlat, splitFlat } from '../../../core/compile/flatParams';
import { optimizerSlots } from '../../../core/compile/optimizers';
import type { ModelPlan } from '../../../core/compile/plan';
import { buildStepModel, modelLayouts, STEP_NAMES, type ModelLayouts } from '../../../core/compile/stepModel';
import type { EvalOutput, RunnerStart, StepRunner, TrainingEngine } from '../../../core/train/engine';
import { flatOptimizerState, namedOptimizerState, type SavedTensor } from '../../../core/train/state';
import { providerError, type Provider } from './providers';

const f32 = (data: Float32Array, dims: readonly number[]) => new ort.Tensor('float32', data, dims);

/** A test hook: the step after this many fails as a lost GPU would (the fault path's tests). */
function failAtStep(): number | null {
  const n = Number(process.env.BOTTLENECK_TEST_FAIL_AT_STEP);
  return Number.isInteger(n) && n > 0 ? n : null;
}

export class OnnxRunner implements StepRunner {
  private params: ort.Tensor;
  private stats: ort.Tensor | null;
  private slotTensors: ort.Tensor[];
  private steps: number;
  private readonly slots: string[];
  private readonly imageDims: number[];
  private readonly failAt = failAtStep();
  /** Runs not yet finished: close waits for them rather than pulling a session from under one. */
  private readonly running = new Set<Promise<unknown>>();

  private constructor(
    private readonly plan: ModelPlan,
    private readonly layouts: ModelLayouts,
    private readonly stepSession: ort.InferenceSession,
    private readonly evalSession: ort.InferenceSession,
    start: RunnerStart,
  ) {
    this.slots = optimizerSlots(plan.graph.training);
    const total = layouts.trainable.total;
    this.params = f32(joinFlat(start.weights, layouts.trainable, 'weights'), [total]);
    this.stats = layouts.stats.total ? f32(joinFlat(start.weights, layouts.stats, 'weights'), [layouts.stats.total]) : null;
    this.slotTensors = flatOptimizerState(start.optimizer ?? [], this.slots, layouts.trainable).map((s) => f32(s, [total]));
    this.steps = start.step;
    this.imageDims = [...plan.inputShape];
  }

  /** Compiles and loads both models; a start that does not fit the graph throws naming the tensor. */
  static async create(plan: ModelPlan, start: RunnerStart, provider: Provider): Promise<OnnxRunner> {
    const layouts = modelLayouts(plan);
    // Checked before any session exists: a mismatch is the user's to fix, not the provider's.
    joinFlat(start.weights, layouts.trainable, 'weights');
    const options = provider.sessionOptions();
    const [step, evaluation] = await Promise.all([
      native(() => ort.InferenceSession.create(buildStepModel(plan, { target: provider.target }), options)),
      native(() => ort.InferenceSession.create(buildEvalModel(plan, provider.target), options)),
    ]).catch((err) => {
      throw new Error(`${provider.name} could not load the model: ${providerError(err)}`);
    });
    return new OnnxRunner(plan, layouts, step, evaluation, start);
  }

  private parameterFeeds(): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = { [STEP_NAMES.params]: this.params };
    if (this.stats) feeds[STEP_NAMES.stats] = this.stats;
    return feeds;
  }

  async step(images: Float32Array, count: number, noise: ReadonlyMap<string, Float32Array>, hyper: Float32Array): Promise<Float32Array> {
    if (this.failAt !== null && this.steps >= this.failAt) throw new Error('the device was lost (BOTTLENECK_TEST_FAIL_AT_STEP)');
    const size = images.length && this.imageDims.reduce((a, b) => a * b, 1);
    const feeds: Record<string, ort.Tensor> = {
      ...this.parameterFeeds(),
      [STEP_NAMES.image]: f32(images.subarray(0, count * size), [count, ...this.imageDims]),
      [STEP_NAMES.hyper]: f32(hyper, [hyper.length]),
    };
    this.slots.forEach((s, i) => (feeds[STEP_NAMES.slot(s)] = this.slotTensors[i]!));
    for (const n of this.plan.noise) {
      for (const name of [n.keep, n.add]) if (name) feeds[name] = f32(noise.get(name)!, [count, ...n.rowShape]);
    }
    const out = await this.track(native(() => this.stepSession.run(feeds)));
    this.params = out[STEP_NAMES.next(STEP_NAMES.params)]!;
    if (this.stats) this.stats = out[STEP_NAMES.next(STEP_NAMES.stats)]!;
    this.slotTensors = this.slots.map((s) => out[STEP_NAMES.next(STEP_NAMES.slot(s))]!);
    this.steps++;
    return out[STEP_NAMES.losses]!.data as Float32Array;
  }

  async evaluate(images: Float32Array, count: number, klWeight: number): Promise<EvalOutput> {
    const size = this.imageDims.reduce((a, b) => a * b, 1);
    const out = await this.track(native(() => this.evalSession.run({
      ...this.parameterFeeds(),
      [EVAL_NAMES.image]: f32(images.subarray(0, count * size), [count, ...this.imageDims]),
      [EVAL_NAMES.klWeight]: f32(Float32Array.of(klWeight), [1]),
    })));
    return { losses: out[EVAL_NAMES.losses]!.data as Float32Array, code: out[EVAL_NAMES.code]!.data as Float32Array, reconstruction: out[EVAL_NAMES.reconstruction]!.data as Float32Array };
  }

  async snapshot(): Promise<{ weights: SavedTensor[]; optimizer: SavedTensor[] }> {
    const weights = [...splitFlat(this.params.data as Float32Array, this.layouts.trainable), ...(this.stats ? splitFlat(this.stats.data as Float32Array, this.layouts.stats) : [])];
    // In the plan's order, as the first engine listed a model's weights.
    const order = new Map(this.plan.params.map((p, i) => [p.name, i]));
    weights.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
    const optimizer = namedOptimizerState(this.slots, this.slotTensors.map((t) => t.data as Float32Array), this.layouts.trainable, this.steps);
    return { weights, optimizer };
  }

  private track<T>(run: Promise<T>): Promise<T> {
    this.running.add(run);
    void run.finally(() => this.running.delete(run)).catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.running]);
    await Promise.all([this.stepSession.release(), this.evalSession.release()]);
  }
}

/** The training engine on a provider chosen by selectProvider. */
export function onnxEngine(provider: Provider): TrainingEngine {
  return {
    name: provider.name,
    threads: provider.target === 'cpu' ? provider.threads : 1,
    createRunner: (plan, start) => OnnxRunner.create(plan, start, provider),
  };
}
