import { needsImage, defineBlock } from './types';
import { convFields, convParamCount, convSummary, type ConvParams } from './conv2d';

/** Keras' deconv_output_length: same → n·s; valid → n·s + max(k − s, 0). */
export function transposeOutput(length: number, kernel: number, stride: number, padding: 'same' | 'valid'): number {
  return padding === 'same' ? length * stride : length * stride + Math.max(kernel - stride, 0);
}

export const conv2dTransposeBlock = defineBlock<ConvParams>({
  kind: 'Conv2DTranspose',
  label: 'Conv2DTranspose',
  group: 'decoder',
  description: 'Learned upsampling: stride s multiplies height and width by s.',
  inputs: 1,
  defaults: { filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
  fields: convFields('Upsampling factor: 2 doubles height and width; the decoder uses it to climb back to the image size.'),
  outputShape: (input, p) => {
    const bad = needsImage(input);
    if (bad) return bad;
    const [h, w] = input as [number, number, number];
    return { ok: true, shape: [transposeOutput(h, p.kernelSize, p.strides, p.padding), transposeOutput(w, p.kernelSize, p.strides, p.padding), p.filters] };
  },
  paramCount: (input, p) => convParamCount(input[2] ?? 0, p),
  summary: convSummary,
});
