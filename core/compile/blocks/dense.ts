import type { DenseParams } from '../../blocks/dense';
import { activation } from '../ops/activation';
import { linear } from '../ops/linear';
import type { BlockCompiler, ParamSpec } from './types';

export function denseParams(layer: string, inFeatures: number, units: number): ParamSpec[] {
  return [
    { name: `${layer}/kernel`, shape: [inFeatures, units], init: 'glorot-uniform', trainable: true },
    { name: `${layer}/bias`, shape: [units], init: 'zeros', trainable: true },
  ];
}

export const dense: BlockCompiler = {
  params: (node, p, inShape) => denseParams(node.id, inShape[0]!, (p as unknown as DenseParams).units),
  forward(b, x) {
    const p = b.params as unknown as DenseParams;
    const id = b.node.id;
    const y = linear(b.op, x.name, b.param(`${id}/kernel`), b.param(`${id}/bias`), id);
    return { name: activation(b.op, y, p.activation, id), shape: b.outShape, layout: 'flat' };
  },
};
