import { batchNorm as batchNormOp } from '../ops/batchNorm';
import type { BlockCompiler } from './types';

/** Over the channels of an image (NCHW's axis 1) or the features of a vector. */
export const batchNorm: BlockCompiler = {
  params: (node, _p, inShape) => {
    const channels = inShape[inShape.length - 1]!;
    return [
      { name: `${node.id}/gamma`, shape: [channels], init: 'ones', trainable: true },
      { name: `${node.id}/beta`, shape: [channels], init: 'zeros', trainable: true },
      { name: `${node.id}/moving_mean`, shape: [channels], init: 'zeros', trainable: false },
      { name: `${node.id}/moving_variance`, shape: [channels], init: 'ones', trainable: false },
    ];
  },
  forward(b, x) {
    const id = b.node.id;
    const image = b.inShape.length === 3;
    const input = image ? b.toLayout(x, 'NCHW') : x;
    const names = { gamma: `${id}/gamma`, beta: `${id}/beta`, movingMean: `${id}/moving_mean`, movingVariance: `${id}/moving_variance` };
    const out = batchNormOp(
      b.op,
      input.name,
      { gamma: b.param(names.gamma), beta: b.param(names.beta), movingMean: b.param(names.movingMean), movingVariance: b.param(names.movingVariance) },
      b.inShape[b.inShape.length - 1]!,
      image ? 4 : 2,
      id,
    );
    if (out.movingMean) b.setUpdate(names.movingMean, out.movingMean);
    if (out.movingVariance) b.setUpdate(names.movingVariance, out.movingVariance);
    return { name: out.y, shape: b.outShape, layout: input.layout };
  },
};
