import { ACTIVATIONS, checkEnum, checkInt, type Activation, type BlockSpec, type Shape, type ShapeResult } from './types';

export interface DenseParams {
  units: number;
  activation: Activation;
}

export const MAX_UNITS = 65_536;

/** Dense acts on the last axis, as tf.layers.dense does. */
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

export const denseBlock: BlockSpec<DenseParams> = {
  kind: 'Dense',
  label: 'Dense',
  group: 'encoder',
  inputs: 1,
  defaults: { units: 128, activation: 'relu' },
  fields: [
    { name: 'units', label: 'Units', type: 'int', min: 1, max: MAX_UNITS },
    { name: 'activation', label: 'Activation', type: 'enum', options: ACTIVATIONS },
  ],
  checkParams: (p) => [...checkInt('Units', p.units, 1, MAX_UNITS), ...checkEnum('Activation', p.activation, ACTIVATIONS)],
  outputShape: (input, p) => denseShape(input, p.units),
  paramCount: (input, p) => denseParamCount(input, p.units),
  summary: (p) => `${p.units} · ${p.activation}`,
};
