import { tfPads } from '../../export/onnx';
import type { Padding } from '../../blocks/types';
import type { OpContext } from './context';

/**
 * Max pooling on NCHW x. Padded cells never win (as in TensorFlow's same pooling); the gradient goes
 * to the winning input of each window, added up where windows overlap, through the indices
 * MaxPool reports (flat over the whole input, padding not counted).
 */
export function maxPool(ctx: OpContext, x: string, p: { height: number; width: number; pool: number; stride: number; padding: Padding }, hint: string): string {
  const { g } = ctx;
  const [top, bottom] = tfPads(p.height, p.pool, p.stride, p.padding);
  const [left, right] = tfPads(p.width, p.pool, p.stride, p.padding);
  const attrs = { kernel_shape: { ints: [p.pool, p.pool] }, strides: { ints: [p.stride, p.stride] }, pads: { ints: [top, left, bottom, right] }, ceil_mode: { i: 0 } };
  if (!ctx.tape || !ctx.tape.requiresGrad(x)) return g.op('MaxPool', [x], attrs, `${hint}/maxpool`);
  const [y, indices] = g.opN('MaxPool', [x], 2, attrs, `${hint}/maxpool`) as [string, string];
  ctx.tape.record({
    inputs: [x],
    outputs: [y],
    backward: (g, [dy]) => {
      const flat = g.int64([-1]);
      const zeros = g.op('ConstantOfShape', [g.op('Reshape', [g.op('Size', [x]), g.int64([1])])], {}, `${hint}/zeros`);
      const scattered = g.op('ScatterElements', [zeros, g.op('Reshape', [indices, flat]), g.op('Reshape', [dy!, flat])], { axis: { i: 0 }, reduction: { s: 'add' } }, `${hint}/dscatter`);
      return [g.op('Reshape', [scattered, g.op('Shape', [x])], {}, `${hint}/dx`)];
    },
  });
  return y;
}

/** Nearest-neighbour upsampling of NCHW x by a whole factor; the gradient sums each block of size×size. */
export function upSample(ctx: OpContext, x: string, p: { height: number; width: number; channels: number; size: number }, hint: string): string {
  const { g } = ctx;
  const s = p.size;
  // tf.image.resizeNearestNeighbor (no corner alignment, no half-pixel centres): source = floor(out / size).
  const y = g.op('Resize', [x, '', g.float([1, 1, s, s])], { mode: { s: 'nearest' }, coordinate_transformation_mode: { s: 'asymmetric' }, nearest_mode: { s: 'floor' } }, `${hint}/resize`);
  ctx.tape?.record({
    inputs: [x],
    outputs: [y],
    backward: (g, [dy]) => {
      const blocks = g.op('Reshape', [dy!, g.int64([0, p.channels, p.height, s, p.width, s])], {}, `${hint}/dblocks`);
      return [g.op('ReduceSum', [blocks, g.int64([3, 5])], { keepdims: { i: 0 } }, `${hint}/dx`)];
    },
  });
  return y;
}
