/**
 * Convolutions in NCHW with tfjs' kernel layouts as parameters, TensorFlow's "same" padding made
 * explicit (the odd pixel after), and their gradients from ONNX's own operators: the input gradient
 * of a convolution is a transposed convolution (and the other way round), and the kernel gradient
 * is a convolution of the input with the output gradient, batch and channels swapped, dilated by
 * the stride.
 */
import type { OnnxBuilder } from '../../onnx/builder';
import { tfPads, transposePads } from './padding';
import type { Padding } from '../../blocks/types';
import type { OpContext } from './context';

/** tfjs conv2d [kh, kw, in, out] and conv2dTranspose [kh, kw, out, in] to ONNX's (out, in, kh, kw) and (in, out, kh, kw): one permutation. */
export const TFJS_TO_ONNX_KERNEL = [3, 2, 0, 1] as const;
export const ONNX_TO_TFJS_KERNEL = [2, 3, 1, 0] as const;

export interface ConvGeometry {
  /** Input height and width (NCHW's H, W). */
  height: number;
  width: number;
  /** Output height and width. */
  outHeight: number;
  outWidth: number;
  kernel: number;
  stride: number;
  padding: Padding;
}

/** [top, left, bottom, right] of a convolution from `height`×`width` (TensorFlow's rule). */
function convPads(height: number, width: number, k: number, s: number, padding: Padding): number[] {
  const [top, bottom] = tfPads(height, k, s, padding);
  const [left, right] = tfPads(width, k, s, padding);
  return [top, left, bottom, right];
}

/**
 * The gradient of ⟨gOut, Conv(input, W)⟩ with respect to W [M, C, k, k], for a convolution with
 * `stride` and `pads`: Conv(inputᵀ, gOutᵀ) dilated by the stride, where ᵀ swaps batch and channels,
 * cropped to the kernel (rows no window reached give extra taps) and turned back to [M, C, k, k].
 */
function kernelGradient(g: OnnxBuilder, input: string, gOut: string, k: number, stride: number, pads: number[], hint: string): string {
  const swap = { perm: { ints: [1, 0, 2, 3] } };
  const full = g.op(
    'Conv',
    [g.op('Transpose', [input], swap, `${hint}/xT`), g.op('Transpose', [gOut], swap, `${hint}/dyT`)],
    { dilations: { ints: [stride, stride] }, strides: { ints: [1, 1] }, pads: { ints: pads }, group: { i: 1 } },
    `${hint}/dW_full`,
  );
  const cropped = g.op('Slice', [full, g.int64([0, 0]), g.int64([k, k]), g.int64([2, 3])], {}, `${hint}/dW_crop`);
  return g.op('Transpose', [cropped], swap, `${hint}/dW`);
}

interface TransposedGeometry {
  kernel: number;
  stride: number;
  /** [top, left, bottom, right], as ConvTranspose takes them. */
  pads: number[];
  outputPadding: [number, number];
}

/**
 * A transposed convolution of NCHW x with an ONNX ConvTranspose kernel (in, out, k, k). With stride
 * 1 on the CPU it is an ordinary convolution with the kernel turned half a turn and its channels
 * swapped, padded k − 1 − pad: ONNX Runtime's Conv is several times faster there than its
 * ConvTranspose (which scatters each product back pixel by pixel). Otherwise ConvTranspose itself.
 */
function transposedConvolution(ctx: OpContext, x: string, w: string, bias: string | null, geo: TransposedGeometry, hint: string): string {
  const { g } = ctx;
  const { kernel: k, stride: s, pads, outputPadding } = geo;
  const before = [k - 1 - pads[0]!, k - 1 - pads[1]!];
  const after = [k - 1 - pads[2]! + outputPadding[0], k - 1 - pads[3]! + outputPadding[1]];
  if ((ctx.target ?? 'cpu') === 'cpu' && s === 1 && [...before, ...after].every((p) => p >= 0)) {
    const turned = g.op('Slice', [g.op('Transpose', [w], { perm: { ints: [1, 0, 2, 3] } }), g.int64([-1, -1]), g.int64([-(k + 1), -(k + 1)]), g.int64([2, 3]), g.int64([-1, -1])], {}, `${hint}/kernel_turned`);
    const attrs = { kernel_shape: { ints: [k, k] }, strides: { ints: [1, 1] }, pads: { ints: [before[0]!, before[1]!, after[0]!, after[1]!] }, dilations: { ints: [1, 1] }, group: { i: 1 } };
    return g.op('Conv', bias ? [x, turned, bias] : [x, turned], attrs, hint);
  }
  const attrs = { kernel_shape: { ints: [k, k] }, strides: { ints: [s, s] }, pads: { ints: pads }, dilations: { ints: [1, 1] }, group: { i: 1 }, output_padding: { ints: outputPadding } };
  return g.op('ConvTranspose', bias ? [x, w, bias] : [x, w], attrs, hint);
}

function toOnnxKernel(g: OnnxBuilder, kernel: string, hint: string): string {
  return g.op('Transpose', [kernel], { perm: { ints: TFJS_TO_ONNX_KERNEL } }, `${hint}/kernel_onnx`);
}

function toTfjsKernel(g: OnnxBuilder, kernel: string, hint: string): string {
  return g.op('Transpose', [kernel], { perm: { ints: ONNX_TO_TFJS_KERNEL } }, `${hint}/dkernel`);
}

/** Conv2D on NCHW x with a tfjs kernel [k, k, in, out] and bias [out]. */
export function conv2d(ctx: OpContext, x: string, kernel: string, bias: string, geo: ConvGeometry, hint: string): string {
  const { g } = ctx;
  const { kernel: k, stride: s } = geo;
  const pads = convPads(geo.height, geo.width, k, s, geo.padding);
  const w = toOnnxKernel(g, kernel, hint);
  const attrs = { kernel_shape: { ints: [k, k] }, strides: { ints: [s, s] }, pads: { ints: pads }, dilations: { ints: [1, 1] }, group: { i: 1 } };
  const y = g.op('Conv', [x, w, bias], attrs, `${hint}/conv`);
  ctx.tape?.record({
    inputs: [x, kernel, bias],
    outputs: [y],
    backward: (g, [dy], needed) => {
      let dx: string | null = null;
      if (needed[0]) {
        // The transposed convolution gives (out − 1)·s + k − pads rows; rows past the last window get output_padding.
        const outputPadding = [
          geo.height - ((geo.outHeight - 1) * s + k - pads[0]! - pads[2]!),
          geo.width - ((geo.outWidth - 1) * s + k - pads[1]! - pads[3]!),
        ];
        dx = transposedConvolution(ctx, dy!, w, null, { kernel: k, stride: s, pads, outputPadding: outputPadding as [number, number] }, `${hint}/dx`);
      }
      return [
        dx,
        needed[1] ? toTfjsKernel(g, kernelGradient(g, x, dy!, k, s, pads, hint), hint) : null,
        needed[2] ? g.op('ReduceSum', [dy!, g.int64([0, 2, 3])], { keepdims: { i: 0 } }, `${hint}/dbias`) : null,
      ];
    },
  });
  return y;
}

/**
 * Conv2DTranspose on NCHW x with a tfjs kernel [k, k, out, in] and bias [out]: tfjs'
 * conv2dTranspose, the input gradient of the convolution whose input is the output size.
 */
export function conv2dTranspose(ctx: OpContext, x: string, kernel: string, bias: string, geo: ConvGeometry, hint: string): string {
  const { g } = ctx;
  const { kernel: k, stride: s } = geo;
  const y0 = transposePads(geo.height, geo.outHeight, k, s, geo.padding);
  const x0 = transposePads(geo.width, geo.outWidth, k, s, geo.padding);
  const pads = [y0.before, x0.before, y0.after, x0.after];
  const w = toOnnxKernel(g, kernel, hint);
  const common = { kernel_shape: { ints: [k, k] }, strides: { ints: [s, s] }, pads: { ints: pads }, dilations: { ints: [1, 1] }, group: { i: 1 } };
  const y = transposedConvolution(ctx, x, w, bias, { kernel: k, stride: s, pads, outputPadding: [y0.outputPadding, x0.outputPadding] }, `${hint}/convT`);
  ctx.tape?.record({
    inputs: [x, kernel, bias],
    outputs: [y],
    backward: (g, [dy], needed) => [
      // The adjoint: a convolution of dy with the same kernel, read as (in, out, k, k) = Conv's (M, C, k, k).
      needed[0] ? g.op('Conv', [dy!, w], common, `${hint}/dx`) : null,
      needed[1] ? toTfjsKernel(g, kernelGradient(g, dy!, x, k, s, pads, hint), hint) : null,
      needed[2] ? g.op('ReduceSum', [dy!, g.int64([0, 2, 3])], { keepdims: { i: 0 } }, `${hint}/dbias`) : null,
    ],
  });
  return y;
}
