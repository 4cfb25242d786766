import type { MaxPoolParams, UpSamplingParams } from '../../blocks/pooling';
import { maxPool, upSample } from '../ops/pool';
import type { BlockCompiler } from './types';

export const maxPool2d: BlockCompiler = {
  forward(b, x) {
    const p = b.params as unknown as MaxPoolParams;
    const input = b.toLayout(x, 'NCHW');
    const y = maxPool(b.op, input.name, { height: b.inShape[0]!, width: b.inShape[1]!, pool: p.poolSize, stride: p.strides, padding: p.padding }, b.node.id);
    return { name: y, shape: b.outShape, layout: 'NCHW' };
  },
};

export const upSampling2d: BlockCompiler = {
  forward(b, x) {
    const p = b.params as unknown as UpSamplingParams;
    const input = b.toLayout(x, 'NCHW');
    const y = upSample(b.op, input.name, { height: b.inShape[0]!, width: b.inShape[1]!, channels: b.inShape[2]!, size: p.size }, b.node.id);
    return { name: y, shape: b.outShape, layout: 'NCHW' };
  },
};
