import type { ReshapeParams } from '../../blocks/reshape';
import { reshape } from '../ops/layout';
import type { BlockCompiler } from './types';

/** Input and Output pass the value through (the Output back in NHWC, as images are read). */
export const passThrough: BlockCompiler = {
  forward: (b, x) => (x.layout === 'NCHW' ? b.toLayout(x, 'NHWC') : x),
};

/** Flatten unrolls an image in NHWC order (as tfjs did), so Dense kernels keep their meaning. */
export const flatten: BlockCompiler = {
  forward(b, x) {
    const input = x.layout === 'flat' ? x : b.toLayout(x, 'NHWC');
    return { name: reshape(b.op, input.name, b.outShape, b.node.id), shape: b.outShape, layout: 'flat' };
  },
};

export const reshapeBlock: BlockCompiler = {
  forward(b, x) {
    const target = (b.params as unknown as ReshapeParams).targetShape;
    const input = x.layout === 'flat' ? x : b.toLayout(x, 'NHWC');
    return { name: reshape(b.op, input.name, target, b.node.id), shape: b.outShape, layout: target.length === 3 ? 'NHWC' : 'flat' };
  },
};
