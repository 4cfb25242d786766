/**
 * How a block becomes ONNX: the parameters it owns and its forward pass written from the primitives
 * in ../ops (whose rules give the backward pass). One file per block kind; index.ts lists them.
 */
import type { Shape } from '../../blocks/types';
import type { Corruption } from '../../train/corruption';
import type { GraphNode } from '../../graph/types';
import type { OpContext } from '../ops/context';

/** A value flowing along the chain: per-image shape (HWC for images), and how the tensor holds it. */
export interface Value {
  name: string;
  shape: Shape;
  /** Images are NHWC as read and NCHW once a convolution or pooling needs it; vectors are [N, D]. */
  layout: 'NHWC' | 'NCHW' | 'flat';
}

export type Initializer = 'glorot-uniform' | 'zeros' | 'ones';

/** One tensor a block owns, named as in checkpoints since the first engine (`layer/weight`, tfjs layouts). */
export interface ParamSpec {
  name: string;
  shape: number[];
  init: Initializer;
  /** Trained by the optimizer; false for batch norm's moving statistics, which the forward pass updates. */
  trainable: boolean;
}

/**
 * Random numbers a training-only block reads, drawn on the host (core/train/noiseInputs.ts) from its
 * own seeded stream per (step, row), as `keep` and `add` terms of x·keep + add.
 */
export interface NoiseSpec {
  /** The stream's name in checkpoints (the layer's name). */
  layer: string;
  seed: number;
  corruption: Corruption;
  /** One row's shape as the host draws it: HWC for images, [D] for vectors. */
  rowShape: number[];
  keep: string | null;
  add: string | null;
}

export interface BlockContext {
  op: OpContext;
  node: GraphNode;
  /** The node's params over the block's defaults. */
  params: Record<string, unknown>;
  inShape: Shape;
  outShape: Shape;
  /** The tensor of one of the block's parameters, by its full name. */
  param(name: string): string;
  /** The value of a noise input (a keep or add term), NHWC for images. */
  noise(name: string): string;
  /** An image value in NCHW or NHWC (transposing if needed). */
  toLayout(v: Value, layout: 'NHWC' | 'NCHW'): Value;
  /** Marks the latent code (and, for a VAE, its mean and log-variance) for the loss and the encoder. */
  setCode(code: string, vae?: { mean: string; logVar: string }): void;
  /** A non-trainable parameter's value after this step (batch norm's moving statistics). */
  setUpdate(param: string, value: string): void;
}

export interface BlockCompiler {
  params?(node: GraphNode, params: Record<string, unknown>, inShape: Shape, outShape: Shape): ParamSpec[];
  /** The training-only randomness the block reads, or null. `seed` is the block's stream seed. */
  noise?(node: GraphNode, params: Record<string, unknown>, inShape: Shape, seed: number): NoiseSpec | null;
  forward(b: BlockContext, x: Value): Value;
}
