import type { ReconstructionLoss } from '../blocks/output';

/** What the loss is made of, read from the graph's Output and bottleneck blocks. */
export interface LossSpec {
  reconstruction: ReconstructionLoss;
  sparsity: { kind: 'l1'; weight: number } | { kind: 'kl'; rho: number; weight: number } | null;
  variational: { beta: number; warmupEpochs: number } | null;
  /** Values per input image: the regularizers are divided by it to sit on the per-value reconstruction scale. */
  inputSize: number;
}

/** The order of the loss terms in every model's `losses` output and in events. */
export const LOSS_TERMS = ['loss', 'recon_loss', 'sparsity_loss', 'kl_loss'] as const;
export type LossTerm = (typeof LOSS_TERMS)[number];
export type LossValues = Record<LossTerm, number>;

export function toLossValues(values: ArrayLike<number>): LossValues {
  return { loss: values[0]!, recon_loss: values[1]!, sparsity_loss: values[2]!, kl_loss: values[3]! };
}

/** β times the linear warm-up factor at a given global step (counted from 1). */
export function klWeightAt(spec: LossSpec, step: number, stepsPerEpoch: number): number {
  if (!spec.variational) return 0;
  const { beta, warmupEpochs } = spec.variational;
  if (warmupEpochs <= 0) return beta;
  return beta * Math.min(1, step / (warmupEpochs * stepsPerEpoch));
}
