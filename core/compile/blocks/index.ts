import type { BlockKind } from '../../graph/types';
import { activation } from './activation';
import { batchNorm } from './batchNorm';
import { bottleneck } from './bottleneck';
import { conv2d, conv2dTranspose } from './conv2d';
import { corruption } from './corruption';
import { dense } from './dense';
import { maxPool2d, upSampling2d } from './pooling';
import { flatten, passThrough, reshapeBlock } from './structure';
import type { BlockCompiler } from './types';
import { variationalBottleneck } from './variationalBottleneck';

export const BLOCK_COMPILERS: Record<BlockKind, BlockCompiler> = {
  Input: passThrough,
  Output: passThrough,
  Flatten: flatten,
  Reshape: reshapeBlock,
  Dense: dense,
  Bottleneck: bottleneck,
  VariationalBottleneck: variationalBottleneck,
  Conv2D: conv2d,
  Conv2DTranspose: conv2dTranspose,
  MaxPool2D: maxPool2d,
  UpSampling2D: upSampling2d,
  BatchNorm: batchNorm,
  Activation: activation,
  Dropout: corruption,
  GaussianNoise: corruption,
  RandomMask: corruption,
};
