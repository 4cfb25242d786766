import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { SeededNoiseLayer } from './noise';

/**
 * The reparameterisation trick: z = μ + exp(½·log σ²)·ε while training, z = μ otherwise.
 * ε comes from a seed advanced on every call (see SeededNoiseLayer), so a run repeats exactly.
 */
export class Sampling extends SeededNoiseLayer {
  static className = 'BottleneckSampling';

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return (inputShape as tfl.Shape[])[0]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const [mean, logVar] = inputs as tf.Tensor[];
    if (!kwargs.training) return tf.clone(mean!);
    return tf.tidy(() => {
      // The stream VAE runs have used since checkpoints saved it: resumed runs draw the same ε.
      const seed = this.seed * 7919 + this.calls++;
      const w = this.window;
      // ε for the whole unsplit batch, sliced: each row gets the noise it would get on one thread.
      const epsilon = w
        ? tf.slice(tf.randomNormal([w.rows, ...mean!.shape.slice(1)], 0, 1, 'float32', seed), w.offset, mean!.shape[0])
        : tf.randomNormal(mean!.shape, 0, 1, 'float32', seed);
      return tf.add(mean!, tf.mul(tf.exp(tf.mul(logVar!, 0.5)), epsilon));
    });
  }
}

tf.serialization.registerClass(Sampling);
