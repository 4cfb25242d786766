import type { BottleneckParams } from '../../blocks/bottleneck';
import { activation } from '../ops/activation';
import { linear } from '../ops/linear';
import { denseParams } from './dense';
import type { BlockCompiler } from './types';

/** A Dense layer whose output is the code (the sparsity penalties read it). */
export const bottleneck: BlockCompiler = {
  params: (node, p, inShape) => denseParams(node.id, inShape[0]!, (p as unknown as BottleneckParams).latentSize),
  forward(b, x) {
    const p = b.params as unknown as BottleneckParams;
    const id = b.node.id;
    const code = activation(b.op, linear(b.op, x.name, b.param(`${id}/kernel`), b.param(`${id}/bias`), id), p.activation, id);
    b.setCode(code);
    return { name: code, shape: b.outShape, layout: 'flat' };
  },
};
