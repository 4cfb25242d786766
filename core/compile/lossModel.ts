/** Every loss term of a plan from a forward pass, stacked, and the gradients they seed. */
import type { OnnxBuilder } from '../onnx/builder';
import { codeOf, type ForwardResult } from './forward';
import { klSparsity, l1Sparsity, reconstructionLoss, vaeKl, type LossTerm } from './ops/losses';
import type { ModelPlan } from './plan';

export interface WrittenLosses {
  /** [loss, recon_loss, sparsity_loss, kl_loss] as a [4] tensor. */
  stacked: string;
  /** [value, gradient] pairs for the tape: d loss / d each value a term read. */
  seeds: [string, string][];
}

/** loss = recon + sparsity + klWeight · kl, klWeight a [1] input (β times the warm-up factor). */
export function writeLosses(g: OnnxBuilder, plan: ModelPlan, forward: ForwardResult, target: string, klWeight: string): WrittenLosses {
  const spec = plan.loss;
  const recon = reconstructionLoss(g, spec.reconstruction, forward.reconstruction, target);
  let sparsity: LossTerm | null = null;
  if (spec.sparsity?.kind === 'l1') sparsity = l1Sparsity(g, codeOf(forward), spec.sparsity.weight, spec.inputSize);
  else if (spec.sparsity?.kind === 'kl') sparsity = klSparsity(g, codeOf(forward), spec.sparsity.rho, spec.sparsity.weight, spec.inputSize);
  const kl = spec.variational && forward.vae ? vaeKl(g, forward.vae.mean, forward.vae.logVar, spec.inputSize) : null;
  const scalar = (v: string) => g.op('Reshape', [v, g.int64([1])]);
  const sparsityValue = sparsity ? scalar(sparsity.value) : g.float([0]);
  const klValue = kl ? scalar(kl.value) : g.float([0]);
  let total = g.op('Add', [scalar(recon.value), sparsityValue]);
  if (kl) total = g.op('Add', [total, g.op('Mul', [klValue, klWeight])], {}, 'loss');
  const stacked = g.op('Concat', [total, scalar(recon.value), sparsityValue, klValue], { axis: { i: 0 } }, 'loss_terms');
  const seeds = [...recon.seeds(), ...(sparsity?.seeds() ?? []), ...(kl?.seeds(klWeight) ?? [])];
  return { stacked, seeds };
}
