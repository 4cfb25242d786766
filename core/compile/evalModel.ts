/**
 * The evaluation model: the forward pass in inference mode (no noise, the VAE's mean, batch norm's
 * moving statistics) and every loss term against the clean image, with the code and the
 * reconstruction for the latent scatter and the grid.
 *
 * Inputs: image [N, H, W, C]; params [P]; stats [S] when any; kl_weight [1].
 * Outputs: losses [4] (batch means), code [N, codeSize], reconstruction [N, H, W, C].
 */
import { OnnxBuilder } from '../onnx/builder';
import type { ModelTarget } from './ops/context';
import { codeOf, imageInput, writeForward } from './forward';
import { writeLosses } from './lossModel';
import type { ModelPlan } from './plan';
import { declareParams, lookup, modelLayouts, STEP_NAMES } from './stepModel';

export const EVAL_NAMES = { image: STEP_NAMES.image, klWeight: 'kl_weight', losses: 'losses', code: 'code', reconstruction: 'reconstruction' } as const;

/** `target`: the provider kind it runs on (see OpContext.target); default cpu. */
export function buildEvalModel(plan: ModelPlan, target: ModelTarget = 'cpu'): Uint8Array {
  const g = new OnnxBuilder();
  const [h, w, c] = plan.inputShape;
  const image = g.input(EVAL_NAMES.image, ['N', h, w, c]);
  const { params } = declareParams(g, plan, modelLayouts(plan));
  const klWeight = g.input(EVAL_NAMES.klWeight, [1]);
  const noNoise = (name: string): string => {
    throw new Error(`evaluation reads no noise (${name})`);
  };
  const forward = writeForward({ g, tape: null, training: false, target }, plan, { input: imageInput(plan, image), param: lookup(params, 'parameter'), noise: noNoise });
  const losses = writeLosses(g, plan, forward, image, klWeight);
  g.output(losses.stacked, EVAL_NAMES.losses, [4]);
  g.output(forward.vae?.mean ?? codeOf(forward), EVAL_NAMES.code, ['N', plan.codeSize]);
  g.output(forward.reconstruction, EVAL_NAMES.reconstruction, ['N', h, w, c]);
  return g.model('evaluate', `${plan.graph.name}: evaluation (inference mode, loss terms, code, reconstruction), written by Bottleneck.`);
}
