import type { BlockKind } from '../graph/types';

/** A tensor shape without the batch dimension, e.g. [28, 28, 1] or [784]. */
export type Shape = readonly number[];

export type BlockGroup = 'input' | 'encoder' | 'bottleneck' | 'decoder' | 'output' | 'utility';

export type ParamField =
  | { name: string; label: string; type: 'int'; min: number; max: number }
  | { name: string; label: string; type: 'enum'; options: readonly string[] }
  | { name: string; label: string; type: 'shape' };

export type ShapeResult = { ok: true; shape: Shape } | { ok: false; error: string };

/**
 * Everything the editor and the compiler need to know about one kind of block, owned by the block
 * itself (as tfjs-layers layers own computeOutputShape).
 */
export interface BlockSpec<P extends object = Record<string, unknown>> {
  kind: BlockKind;
  label: string;
  group: BlockGroup;
  /** How many incoming edges the block takes. */
  inputs: 0 | 1;
  defaults: P;
  fields: readonly ParamField[];
  /** Returns a message per bad parameter (naming the field), or an empty list. */
  checkParams(params: P): string[];
  outputShape(input: Shape | null, params: P): ShapeResult;
  /** Trainable parameters, with the formulas tfjs-layers uses. */
  paramCount(input: Shape, params: P): number;
  /** One short line shown on the node, e.g. "128 · relu". */
  summary(params: P): string;
}

export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'elu', 'selu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export function product(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function formatShape(shape: Shape | null | undefined): string {
  return shape ? shape.join('×') : '?';
}

/** Bounds check for integer parameters, with a message that names the field. */
export function checkInt(label: string, value: unknown, min: number, max: number): string[] {
  if (typeof value !== 'number' || !Number.isInteger(value)) return [`${label} must be a whole number`];
  if (value < min || value > max) return [`${label} must be between ${min} and ${max}`];
  return [];
}

export function checkEnum(label: string, value: unknown, options: readonly string[]): string[] {
  return typeof value === 'string' && options.includes(value) ? [] : [`${label} must be one of ${options.join(', ')}`];
}
