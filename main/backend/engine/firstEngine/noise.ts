/**
 * Every layer that draws random numbers while training (Dropout, GaussianNoise, RandomMask and the
 * VAE's sampling) draws them from a seed advanced on every training call, so a run repeats exactly
 * for its seed, resumes exactly from a checkpoint (which saves `calls`), and gives each row the same
 * noise whether its batch trains on one thread or is split across two (`window`).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { corruptionTerms, corruptRow, mixSeed, type Corruption } from '../../../../core/train/corruption';
import { seededRandom } from '../../../../core/train/random';

export abstract class SeededNoiseLayer extends tfl.layers.Layer {
  /** Training calls so far: each one draws from its own seed. */
  calls = 0;
  /**
   * Set by data-parallel training, where a thread sees rows [offset, offset + its count) of a batch
   * of `rows`: each row is drawn as it would be unsplit.
   */
  window: { rows: number; offset: number } | null = null;
  protected readonly seed: number;

  constructor(args: { name: string; seed: number }) {
    super({ name: args.name });
    this.seed = args.seed;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), seed: this.seed };
  }
}

/**
 * A corruption applied row by row: row r of training call c draws from its own stream
 * (layer seed, c, r), in plain JS (the same numbers on every backend), uploaded as one tensor per
 * term. Identity outside training.
 */
export class CorruptionLayer extends SeededNoiseLayer {
  static className = 'BottleneckCorruption';
  readonly corruption: Corruption;

  constructor(args: { name: string; seed: number; corruption: Corruption }) {
    super(args);
    this.corruption = args.corruption;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return inputShape as tfl.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (!kwargs.training) return x;
    const call = this.calls++;
    if (this.corruption.kind === 'dropout' && this.corruption.rate === 0) return x;
    const [count, ...shape] = x.shape;
    const size = shape.reduce((a, b) => a * b, 1);
    const offset = this.window?.offset ?? 0;
    const terms = corruptionTerms(this.corruption);
    const keep = terms.keep ? new Float32Array(count! * size) : null;
    const add = terms.add ? new Float32Array(count! * size) : null;
    for (let b = 0; b < count!; b++) {
      const row = (t: Float32Array | null) => t && t.subarray(b * size, (b + 1) * size);
      corruptRow(this.corruption, shape, seededRandom(mixSeed(this.seed, call, offset + b)), row(keep), row(add));
    }
    return tf.tidy(() => {
      let y = x;
      if (keep) y = tf.mul(y, tf.tensor(keep, x.shape));
      if (add) y = tf.add(y, tf.tensor(add, x.shape));
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), corruption: { ...this.corruption } };
  }
}

tf.serialization.registerClass(CorruptionLayer);

/** Every seeded noise layer of a model, in layer order. */
export function noiseLayers(model: tfl.LayersModel): SeededNoiseLayer[] {
  return model.layers.filter((l): l is SeededNoiseLayer => l instanceof SeededNoiseLayer);
}
