import { type ParamField, defineBlock } from './types';

export interface InputParams {
  height: number;
  width: number;
  channels: number;
}

const fields: ParamField[] = [
  { name: 'height', label: 'Height', type: 'int', min: 1, max: 1024, help: "The images' height in pixels; choosing a dataset sets it." },
  { name: 'width', label: 'Width', type: 'int', min: 1, max: 1024, help: "The images' width in pixels; choosing a dataset sets it." },
  { name: 'channels', label: 'Channels', type: 'int', min: 1, max: 4, help: '1 for grayscale, 3 for colour (RGB), 4 with transparency.' },
];

export const inputBlock = defineBlock<InputParams>({
  kind: 'Input',
  label: 'Input',
  group: 'input',
  description: "The dataset's images; its size follows the dataset.",
  inputs: 0,
  defaults: { height: 28, width: 28, channels: 1 },
  fields,
  outputShape: (_input, p) => ({ ok: true, shape: [p.height, p.width, p.channels] }),
  paramCount: () => 0,
  summary: (p) => `${p.height}×${p.width}×${p.channels}`,
});
