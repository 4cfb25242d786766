import { ACTIVATION_HELP, ACTIVATIONS, needsImage, PADDING_HELP, PADDINGS, windowOutput, type Activation, type Padding, type ParamField, defineBlock } from './types';

export interface ConvParams {
  filters: number;
  kernelSize: number;
  strides: number;
  padding: Padding;
  activation: Activation;
}

/** The fields of Conv2D and Conv2DTranspose; only the stride's meaning differs. */
export function convFields(strideHelp: string): ParamField[] {
  return [
    { name: 'filters', label: 'Filters', type: 'int', min: 1, max: 4096, help: 'Feature maps it learns: more filters see more patterns, at more parameters and memory.' },
    { name: 'kernelSize', label: 'Kernel size', type: 'int', min: 1, max: 15, help: 'Each filter looks at a k×k patch; 3 is usual, larger sees wider context at k² the weights.' },
    { name: 'strides', label: 'Stride', type: 'int', min: 1, max: 8, help: strideHelp },
    { name: 'padding', label: 'Padding', type: 'enum', options: PADDINGS, help: PADDING_HELP },
    { name: 'activation', label: 'Activation', type: 'enum', options: ACTIVATIONS, help: ACTIVATION_HELP },
  ];
}

export const convSummary = (p: ConvParams) => `${p.filters} · ${p.kernelSize}×${p.kernelSize}${p.strides > 1 ? ` /${p.strides}` : ''} · ${p.activation}`;

/** k·k·in·filters weights + filters biases, as tf.layers.conv2d and conv2dTranspose count them. */
export function convParamCount(inChannels: number, p: ConvParams): number {
  return p.kernelSize * p.kernelSize * inChannels * p.filters + p.filters;
}

export const conv2dBlock = defineBlock<ConvParams>({
  kind: 'Conv2D',
  label: 'Conv2D',
  group: 'encoder',
  description: 'Learned filters over the image; stride > 1 downsamples.',
  inputs: 1,
  defaults: { filters: 16, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' },
  fields: convFields('Step between patches: 1 keeps the size, 2 halves height and width (a learned downsampling).'),
  outputShape: (input, p) => {
    const bad = needsImage(input);
    if (bad) return bad;
    const [h, w] = input as [number, number, number];
    const oh = windowOutput(h, p.kernelSize, p.strides, p.padding);
    const ow = windowOutput(w, p.kernelSize, p.strides, p.padding);
    if (oh < 1 || ow < 1) return { ok: false, error: `a ${p.kernelSize}×${p.kernelSize} kernel does not fit a ${h}×${w} input with valid padding` };
    return { ok: true, shape: [oh, ow, p.filters] };
  },
  paramCount: (input, p) => convParamCount(input[2] ?? 0, p),
  summary: convSummary,
});
