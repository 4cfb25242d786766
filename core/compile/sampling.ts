import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * The reparameterisation trick: z = μ + exp(½·log σ²)·ε while training, z = μ otherwise.
 * ε comes from a seed advanced on every call, so a run repeats exactly for a given seed.
 */
export class Sampling extends tfl.layers.Layer {
  static className = 'BottleneckSampling';
  private calls = 0;
  private readonly seed: number;

  constructor(args: { name: string; seed: number }) {
    super({ name: args.name });
    this.seed = args.seed;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return (inputShape as tfl.Shape[])[0]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const [mean, logVar] = inputs as tf.Tensor[];
    if (!kwargs.training) return tf.clone(mean!);
    return tf.tidy(() => {
      const epsilon = tf.randomNormal(mean!.shape, 0, 1, 'float32', this.seed * 7919 + this.calls++);
      return tf.add(mean!, tf.mul(tf.exp(tf.mul(logVar!, 0.5)), epsilon));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), seed: this.seed };
  }
}

tf.serialization.registerClass(Sampling);
