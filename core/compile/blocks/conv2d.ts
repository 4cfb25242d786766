import type { ConvParams } from '../../blocks/conv2d';
import { activation } from '../ops/activation';
import { conv2d as convOp, conv2dTranspose as convTransposeOp, type ConvGeometry } from '../ops/conv';
import type { BlockCompiler, BlockContext, Value } from './types';

function geometry(b: BlockContext, p: ConvParams): ConvGeometry {
  return { height: b.inShape[0]!, width: b.inShape[1]!, outHeight: b.outShape[0]!, outWidth: b.outShape[1]!, kernel: p.kernelSize, stride: p.strides, padding: p.padding };
}

function convolution(transposed: boolean): BlockCompiler {
  return {
    params: (node, raw, inShape) => {
      const p = raw as unknown as ConvParams;
      const inChannels = inShape[2]!;
      const k = p.kernelSize;
      // tfjs' layouts: conv2d [k, k, in, out], conv2dTranspose [k, k, out, in].
      return [
        { name: `${node.id}/kernel`, shape: transposed ? [k, k, p.filters, inChannels] : [k, k, inChannels, p.filters], init: 'glorot-uniform', trainable: true },
        { name: `${node.id}/bias`, shape: [p.filters], init: 'zeros', trainable: true },
      ];
    },
    forward(b, x): Value {
      const p = b.params as unknown as ConvParams;
      const id = b.node.id;
      const input = b.toLayout(x, 'NCHW');
      const op = transposed ? convTransposeOp : convOp;
      const y = op(b.op, input.name, b.param(`${id}/kernel`), b.param(`${id}/bias`), geometry(b, p), id);
      return { name: activation(b.op, y, p.activation, id), shape: b.outShape, layout: 'NCHW' };
    },
  };
}

export const conv2d = convolution(false);
export const conv2dTranspose = convolution(true);
