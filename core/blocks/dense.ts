import { ACTIVATION_HELP, ACTIVATIONS, type Activation, type ParamField, type Shape, type ShapeResult, defineBlock } from './types';

export interface DenseParams {
  units: number;
  activation: Activation;
}

export const MAX_UNITS = 65_536;

/** Dense acts on a flat vector here (tf.layers.dense would map the last axis, which surprises users). */
export function denseShape(input: Shape | null, units: number): ShapeResult {
  if (!input) return { ok: false, error: 'needs an input' };
  if (input.length !== 1) {
    return { ok: false, error: `expects a flat vector, got ${input.join('×')}: add a Flatten before it` };
  }
  return { ok: true, shape: [units] };
}

export function denseParamCount(input: Shape, units: number): number {
  const inFeatures = input[input.length - 1] ?? 0;
  return inFeatures * units + units;
}

const fields: ParamField[] = [
  { name: 'units', label: 'Units', type: 'int', min: 1, max: MAX_UNITS, help: 'Outputs of the layer; each is connected to every input, so parameters grow as inputs × units.' },
  { name: 'activation', label: 'Activation', type: 'enum', options: ACTIVATIONS, help: ACTIVATION_HELP },
];

export const denseBlock = defineBlock<DenseParams>({
  kind: 'Dense',
  label: 'Dense',
  group: 'encoder',
  description: 'Fully connected layer on a flat vector.',
  inputs: 1,
  defaults: { units: 128, activation: 'relu' },
  fields,
  outputShape: (input, p) => denseShape(input, p.units),
  paramCount: (input, p) => denseParamCount(input, p.units),
  summary: (p) => `${p.units} · ${p.activation}`,
});
