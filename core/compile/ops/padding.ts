/** TensorFlow's padding rules, made explicit for ONNX (whose auto_pad would guess). */
import type { Padding } from '../../blocks/types';

/** TensorFlow's padding along one axis: [before, after], the odd pixel after. */
export function tfPads(length: number, kernel: number, stride: number, padding: Padding): [number, number] {
  if (padding === 'valid') return [0, 0];
  const out = Math.ceil(length / stride);
  const total = Math.max((out - 1) * stride + kernel - length, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/**
 * ONNX ConvTranspose pads and output_padding along one axis that give tfjs' conv2dTranspose of
 * `length` to `outLength`: the full transposed result ((length − 1)·stride + kernel) cropped by
 * the forward convolution's padding (before = its top/left pad), extended with output_padding
 * where it is shorter than outLength.
 */
export function transposePads(length: number, outLength: number, kernel: number, stride: number, padding: Padding): { before: number; after: number; outputPadding: number } {
  const [before] = tfPads(outLength, kernel, stride, padding);
  const full = (length - 1) * stride + kernel;
  const after = full - before - outLength;
  return after >= 0 ? { before, after, outputPadding: 0 } : { before, after: 0, outputPadding: -after };
}
