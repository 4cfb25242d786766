import * as tf from '@tensorflow/tfjs-core';
import { reconstructionLoss, type LossSpec } from './compile';

/** The order of the terms in the stacked tensor the loss returns. */
export const LOSS_TERMS = ['loss', 'recon_loss', 'sparsity_loss', 'kl_loss'] as const;
export type LossTerm = (typeof LOSS_TERMS)[number];
export type LossValues = Record<LossTerm, number>;

const KL_EPSILON = 1e-7;

/**
 * All terms for one batch, stacked as [loss, recon, sparsity, kl] so one read-back gets them all.
 * The regularizers are summed per image and divided by the image's size, to sit on the same
 * per-value scale as the reconstruction (the usual ELBO, divided by the number of pixels).
 * `klWeight` is β times the warm-up factor for this step.
 */
export function lossTerms(spec: LossSpec, outputs: tf.Tensor[], target: tf.Tensor, klWeight: number): tf.Tensor1D {
  return tf.tidy(() => {
    const [reconstruction, code, mean, logVar] = outputs;
    const recon = reconstructionLoss(spec.reconstruction, reconstruction!, target);
    let sparsity: tf.Scalar = tf.scalar(0);
    if (spec.sparsity?.kind === 'l1') {
      sparsity = tf.mul(spec.sparsity.weight / spec.inputSize, tf.mean(tf.sum(tf.abs(code!), -1)));
    } else if (spec.sparsity?.kind === 'kl') {
      const rho = spec.sparsity.rho;
      const rhoHat = tf.clipByValue(tf.mean(code!, 0), KL_EPSILON, 1 - KL_EPSILON);
      const kl = tf.add(tf.mul(rho, tf.log(tf.div(rho, rhoHat))), tf.mul(1 - rho, tf.log(tf.div(1 - rho, tf.sub(1, rhoHat)))));
      sparsity = tf.mul(spec.sparsity.weight / spec.inputSize, tf.sum(kl));
    }
    let kl: tf.Scalar = tf.scalar(0);
    if (spec.variational && mean && logVar) {
      // KL(N(μ, σ²) ‖ N(0, 1)) = −½ Σ (1 + log σ² − μ² − σ²), per image, averaged over the batch.
      const perImage = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mean)), tf.exp(logVar)), -1));
      kl = tf.div(tf.mean(perImage), spec.inputSize);
    }
    const total = tf.add(tf.add(recon, sparsity), tf.mul(klWeight, kl));
    return tf.stack([total, recon, sparsity, kl]) as tf.Tensor1D;
  });
}

/** β times the linear warm-up factor at a given global step (counted from 1). */
export function klWeightAt(spec: LossSpec, step: number, stepsPerEpoch: number): number {
  if (!spec.variational) return 0;
  const { beta, warmupEpochs } = spec.variational;
  if (warmupEpochs <= 0) return beta;
  return beta * Math.min(1, step / (warmupEpochs * stepsPerEpoch));
}

export function toLossValues(values: ArrayLike<number>): LossValues {
  return { loss: values[0]!, recon_loss: values[1]!, sparsity_loss: values[2]!, kl_loss: values[3]! };
}
