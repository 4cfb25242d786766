import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * The reparameterisation trick: z = μ + exp(½·log σ²)·ε while training, z = μ otherwise.
 * ε comes from a seed advanced on every call, so a run repeats exactly for a given seed.
 */
export class Sampling extends tfl.layers.Layer {
  static className = 'BottleneckSampling';
  /** Training calls so far: each one draws ε from its own seed. */
  calls = 0;
  /**
   * Set by data-parallel training, where a thread sees rows [offset, offset + its count) of a batch of
   * `rows`: ε is drawn for the whole batch and sliced, so each row gets the noise it would get unsplit.
   */
  window: { rows: number; offset: number } | null = null;
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
      const seed = this.seed * 7919 + this.calls++;
      const w = this.window;
      const epsilon = w
        ? tf.slice(tf.randomNormal([w.rows, ...mean!.shape.slice(1)], 0, 1, 'float32', seed), w.offset, mean!.shape[0])
        : tf.randomNormal(mean!.shape, 0, 1, 'float32', seed);
      return tf.add(mean!, tf.mul(tf.exp(tf.mul(logVar!, 0.5)), epsilon));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), seed: this.seed };
  }
}

tf.serialization.registerClass(Sampling);

/** The Sampling layers of a model (a VAE has one). */
export function samplingLayers(model: tfl.LayersModel): Sampling[] {
  return model.layers.filter((l): l is Sampling => l instanceof Sampling);
}
