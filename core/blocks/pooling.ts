import { needsImage, PADDING_HELP, PADDINGS, windowOutput, type Padding, type ParamField, defineBlock } from './types';

export interface MaxPoolParams {
  poolSize: number;
  strides: number;
  padding: Padding;
}

const poolFields: ParamField[] = [
  { name: 'poolSize', label: 'Pool size', type: 'int', min: 1, max: 8, help: 'Window whose largest value is kept: 2 keeps one value in four.' },
  { name: 'strides', label: 'Stride', type: 'int', min: 1, max: 8, help: 'Step between windows; equal to the pool size, windows do not overlap and size 2 halves the image.' },
  { name: 'padding', label: 'Padding', type: 'enum', options: PADDINGS, help: PADDING_HELP },
];

export const maxPool2dBlock = defineBlock<MaxPoolParams>({
  kind: 'MaxPool2D',
  label: 'MaxPool2D',
  group: 'encoder',
  description: 'Keeps the largest value in each window: halves the image at size 2.',
  inputs: 1,
  defaults: { poolSize: 2, strides: 2, padding: 'valid' },
  fields: poolFields,
  outputShape: (input, p) => {
    const bad = needsImage(input);
    if (bad) return bad;
    const [h, w, c] = input as [number, number, number];
    const oh = windowOutput(h, p.poolSize, p.strides, p.padding);
    const ow = windowOutput(w, p.poolSize, p.strides, p.padding);
    if (oh < 1 || ow < 1) return { ok: false, error: `a ${p.poolSize}×${p.poolSize} pool does not fit a ${h}×${w} input` };
    return { ok: true, shape: [oh, ow, c] };
  },
  paramCount: () => 0,
  summary: (p) => `${p.poolSize}×${p.poolSize}${p.strides !== p.poolSize ? ` /${p.strides}` : ''}`,
});

export interface UpSamplingParams {
  size: number;
}

const upFields: ParamField[] = [{ name: 'size', label: 'Factor', type: 'int', min: 1, max: 8, help: 'Repeats each pixel factor × factor times (no weights); a convolution after it smooths the blocks.' }];

export const upSampling2dBlock = defineBlock<UpSamplingParams>({
  kind: 'UpSampling2D',
  label: 'UpSampling2D',
  group: 'decoder',
  description: 'Repeats each pixel: multiplies height and width by the factor.',
  inputs: 1,
  defaults: { size: 2 },
  fields: upFields,
  outputShape: (input, p) => {
    const bad = needsImage(input);
    if (bad) return bad;
    const [h, w, c] = input as [number, number, number];
    return { ok: true, shape: [h * p.size, w * p.size, c] };
  },
  paramCount: () => 0,
  summary: (p) => `×${p.size}`,
});
