import { tfPads } from './padding';
import type { Padding } from '../../blocks/types';
import type { OnnxBuilder } from '../../onnx/builder';
import { concatTree } from '../flatParams';
import type { OpContext } from './context';

interface PoolGeometry {
  height: number;
  width: number;
  pool: number;
  stride: number;
  padding: Padding;
}

/**
 * Max pooling on NCHW x. Padded cells never win (as in TensorFlow's same pooling); the gradient goes
 * to the first winning input of each window, added up where windows overlap. On the CPU through
 * the indices MaxPool reports (flat over the whole input, padding not counted); a GPU provider has
 * no indices output, so there each window's winner is found again by comparison (maskGradient).
 */
export function maxPool(ctx: OpContext, x: string, p: PoolGeometry, hint: string): string {
  const { g } = ctx;
  const [top, bottom] = tfPads(p.height, p.pool, p.stride, p.padding);
  const [left, right] = tfPads(p.width, p.pool, p.stride, p.padding);
  const attrs = { kernel_shape: { ints: [p.pool, p.pool] }, strides: { ints: [p.stride, p.stride] }, pads: { ints: [top, left, bottom, right] }, ceil_mode: { i: 0 } };
  if (!ctx.tape || !ctx.tape.requiresGrad(x)) return g.op('MaxPool', [x], attrs, `${hint}/maxpool`);
  if (ctx.target === 'gpu') {
    const y = g.op('MaxPool', [x], attrs, `${hint}/maxpool`);
    ctx.tape.record({ inputs: [x], outputs: [y], backward: (g, [dy]) => [maskGradient(g, x, y, dy!, p, [top, left, bottom, right], hint)] });
    return y;
  }
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

/**
 * The max-pooling gradient from comparisons alone (float element-wise ops, strided slices, a pad and
 * DepthToSpace: kernels every provider has). For each offset (a, b) of the window, in row-major
 * order, the input value at that offset of every window is compared with the window's maximum; the
 * first offset that equals it wins (`taken` blocks later ties). Each winner's dy goes back to its
 * place: with stride = pool, the k² offsets are the channels DepthToSpace unfolds; otherwise each
 * offset is spread out on the strided grid and shifted into place.
 */
function maskGradient(g: OnnxBuilder, x: string, y: string, dy: string, p: PoolGeometry, pads: number[], hint: string): string {
  const [top, left, bottom, right] = pads as [number, number, number, number];
  const k = p.pool;
  const s = p.stride;
  const paddedH = p.height + top + bottom;
  const paddedW = p.width + left + right;
  const outH = Math.floor((paddedH - k) / s) + 1;
  const outW = Math.floor((paddedW - k) / s) + 1;
  const padded = top + bottom + left + right ? g.op('Pad', [x, g.int64([0, 0, top, left, 0, 0, bottom, right]), g.float(-3.4e38)], {}, `${hint}/dpad`) : x;
  let taken: string | null = null;
  const contributions: string[] = [];
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      const window = g.op('Slice', [padded, g.int64([a, b]), g.int64([a + s * (outH - 1) + 1, b + s * (outW - 1) + 1]), g.int64([2, 3]), g.int64([s, s])], {}, `${hint}/at_${a}_${b}`);
      const equal = g.op('Cast', [g.op('Equal', [window, y])], { to: { i: 1 } });
      const wins: string = taken ? g.op('Mul', [equal, g.op('Sub', [g.float(1), taken])]) : equal;
      taken = taken ? g.op('Add', [taken, wins]) : wins;
      contributions.push(g.op('Mul', [dy, wins], {}, `${hint}/d_${a}_${b}`));
    }
  }
  let spread: string;
  let spreadH: number;
  let spreadW: number;
  if (s === k) {
    // [N, C, k², OH, OW] → [N, C·k², OH, OW]: DepthToSpace (CRD) puts channel c·k² + a·k + b at (c, i·k + a, j·k + b).
    const stacked = concatTree(g, contributions.map((c) => g.op('Unsqueeze', [c, g.int64([2])])), `${hint}/dstack`, 2);
    const channels = g.op('Reshape', [stacked, g.int64([0, -1, outH, outW])]);
    spread = g.op('DepthToSpace', [channels], { blocksize: { i: k }, mode: { s: 'CRD' } }, `${hint}/dspread`);
    spreadH = outH * k;
    spreadW = outW * k;
  } else {
    spreadH = s * (outH - 1) + k;
    spreadW = s * (outW - 1) + k;
    const placed = contributions.map((c, o) => {
      const a = Math.floor(o / k);
      const b = o % k;
      // Each value at (i·s, j·s) of an (OH·s)×(OW·s) grid, then shifted by (a, b) into the window's span.
      const grid = g.op('Reshape', [g.op('Pad', [g.op('Reshape', [c, g.int64([0, 0, outH, 1, outW, 1])]), g.int64([0, 0, 0, 0, 0, 0, 0, 0, 0, s - 1, 0, s - 1])]), g.int64([0, 0, outH * s, outW * s])]);
      const cropped = g.op('Slice', [grid, g.int64([0, 0]), g.int64([s * (outH - 1) + 1, s * (outW - 1) + 1]), g.int64([2, 3])]);
      return g.op('Pad', [cropped, g.int64([0, 0, a, b, 0, 0, k - 1 - a, k - 1 - b])], {}, `${hint}/dplace_${a}_${b}`);
    });
    spread = placed.reduce((acc, v) => g.op('Add', [acc, v], {}, `${hint}/dsum`));
  }
  // The spread covers the windows' span: pad it to the padded input, then drop the pool's padding.
  const fill = g.op('Pad', [spread, g.int64([0, 0, 0, 0, 0, 0, Math.max(0, paddedH - spreadH), Math.max(0, paddedW - spreadW)])]);
  return g.op('Slice', [fill, g.int64([top, left]), g.int64([top + p.height, left + p.width]), g.int64([2, 3])], {}, `${hint}/dx`);
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
