/**
 * The forward pass of a plan, written into an ONNX graph: the image through every block (in
 * training or inference mode), with the code, the VAE's mean and log-variance, and batch norm's
 * updated statistics on the side. With a tape, every primitive records its gradient rule.
 */
import { transpose, TO_NCHW, TO_NHWC } from './ops/layout';
import type { OpContext } from './ops/context';
import type { BlockContext, Value } from './blocks/types';
import type { ModelPlan, PlanStep } from './plan';
import { CompileError } from './plan';

export interface ForwardResult {
  /** The last block's output (the reconstruction, NHWC, for a whole chain). */
  reconstruction: string;
  /** The code; null for a chain without the bottleneck (a decoder). */
  code: string | null;
  vae: { mean: string; logVar: string } | null;
  /** Non-trainable parameter -> its value after this step. */
  updates: Map<string, string>;
}

export interface ForwardInputs {
  /** The chain's input: the image batch (NHWC) for a whole chain or an encoder, the code for a decoder. */
  input: Value;
  param(name: string): string;
  noise(name: string): string;
}

/** The image input of a whole chain. */
export const imageInput = (plan: ModelPlan, name: string): Value => ({ name, shape: plan.inputShape, layout: 'NHWC' });

/** Writes `steps` (the whole chain by default) on `inputs.input`; an image that ends NCHW is turned back to NHWC. */
export function writeForward(op: OpContext, plan: ModelPlan, inputs: ForwardInputs, steps: readonly PlanStep[] = plan.steps): ForwardResult {
  let code: string | null = null;
  let vae: ForwardResult['vae'] = null;
  const updates = new Map<string, string>();
  let x: Value = inputs.input;
  for (const step of steps) {
    const b: BlockContext = {
      op,
      node: step.node,
      params: step.params,
      inShape: step.inShape,
      outShape: step.outShape,
      param: inputs.param,
      noise: inputs.noise,
      toLayout: (v, layout) => {
        if (v.layout === layout) return v;
        if (v.layout === 'flat') throw new CompileError(`node "${step.node.id}": expects an image, got a vector`);
        return { ...v, name: transpose(op, v.name, layout === 'NCHW' ? TO_NCHW : TO_NHWC, `${step.node.id}/to_${layout.toLowerCase()}`), layout };
      },
      setCode: (c, v) => {
        code = c;
        vae = v ?? null;
      },
      setUpdate: (param, value) => updates.set(param, value),
    };
    x = step.compiler.forward(b, x);
  }
  if (x.layout === 'NCHW') x = { ...x, name: transpose(op, x.name, TO_NHWC, 'output/to_nhwc'), layout: 'NHWC' };
  return { reconstruction: x.name, code, vae, updates };
}

/** The code of a whole chain's forward pass (the planner has checked there is a bottleneck). */
export function codeOf(forward: ForwardResult): string {
  if (!forward.code) throw new CompileError('the graph has no Bottleneck: add one between encoder and decoder');
  return forward.code;
}
