import type { BlockKind } from '../graph/types';
import { bottleneckBlock } from './bottleneck';
import { conv2dBlock } from './conv2d';
import { conv2dTransposeBlock } from './conv2dTranspose';
import { denseBlock } from './dense';
import { flattenBlock } from './flatten';
import { inputBlock } from './input';
import { outputBlock } from './output';
import { maxPool2dBlock, upSampling2dBlock } from './pooling';
import { activationBlock, batchNormBlock, dropoutBlock, gaussianNoiseBlock } from './regularizers';
import { randomMaskBlock } from './randomMask';
import { reshapeBlock } from './reshape';
import type { BlockSpec } from './types';
import { variationalBottleneckBlock } from './variationalBottleneck';

const REGISTRY: Record<BlockKind, BlockSpec<any>> = {
  Input: inputBlock,
  Dense: denseBlock,
  Conv2D: conv2dBlock,
  MaxPool2D: maxPool2dBlock,
  Dropout: dropoutBlock,
  GaussianNoise: gaussianNoiseBlock,
  RandomMask: randomMaskBlock,
  Bottleneck: bottleneckBlock,
  VariationalBottleneck: variationalBottleneckBlock,
  Conv2DTranspose: conv2dTransposeBlock,
  UpSampling2D: upSampling2dBlock,
  Reshape: reshapeBlock,
  Flatten: flattenBlock,
  BatchNorm: batchNormBlock,
  Activation: activationBlock,
  Output: outputBlock,
};

export function isBlockKind(kind: string): kind is BlockKind {
  return Object.prototype.hasOwnProperty.call(REGISTRY, kind);
}

export function blockSpec(kind: BlockKind): BlockSpec<Record<string, unknown>> {
  return REGISTRY[kind];
}

/** The node's params over the block's defaults, so old files missing a new param still load. */
export function withDefaults(kind: BlockKind, params: Record<string, unknown>): Record<string, unknown> {
  return { ...REGISTRY[kind].defaults, ...params };
}

/** The palette's sections, in the order a model reads. */
export const PALETTE: { group: string; kinds: BlockKind[] }[] = [
  { group: 'Encoder', kinds: ['Input', 'Dense', 'Conv2D', 'MaxPool2D', 'Dropout', 'GaussianNoise', 'RandomMask'] },
  { group: 'Bottleneck', kinds: ['Bottleneck', 'VariationalBottleneck'] },
  { group: 'Decoder', kinds: ['Conv2DTranspose', 'UpSampling2D', 'Reshape', 'Output'] },
  { group: 'Utility', kinds: ['Flatten', 'BatchNorm', 'Activation'] },
];

export const BOTTLENECK_KINDS: readonly BlockKind[] = ['Bottleneck', 'VariationalBottleneck'];
