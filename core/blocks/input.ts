import { checkInt, type BlockSpec } from './types';

export interface InputParams {
  height: number;
  width: number;
  channels: number;
}

export const inputBlock: BlockSpec<InputParams> = {
  kind: 'Input',
  label: 'Input',
  group: 'input',
  inputs: 0,
  defaults: { height: 28, width: 28, channels: 1 },
  fields: [
    { name: 'height', label: 'Height', type: 'int', min: 1, max: 1024 },
    { name: 'width', label: 'Width', type: 'int', min: 1, max: 1024 },
    { name: 'channels', label: 'Channels', type: 'int', min: 1, max: 4 },
  ],
  checkParams: (p) => [
    ...checkInt('Height', p.height, 1, 1024),
    ...checkInt('Width', p.width, 1, 1024),
    ...checkInt('Channels', p.channels, 1, 4),
  ],
  outputShape: (_input, p) => ({ ok: true, shape: [p.height, p.width, p.channels] }),
  paramCount: () => 0,
  summary: (p) => `${p.height}×${p.width}×${p.channels}`,
};
