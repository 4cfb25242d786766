import type { BlockKind } from '../graph/types';

/** A tensor shape without the batch dimension, e.g. [28, 28, 1] or [784]. */
export type Shape = readonly number[];

export type BlockGroup = 'input' | 'encoder' | 'bottleneck' | 'decoder' | 'output' | 'utility';

interface FieldBase {
  name: string;
  label: string;
  /** Shown only when this holds (e.g. the L1 weight only for L1 sparsity). */
  visible?: (params: Record<string, unknown>) => boolean;
  /** One line for the Inspector: what the setting does and what to watch. */
  help: string;
}

export type ParamField =
  | (FieldBase & { type: 'int'; min: number; max: number })
  | (FieldBase & { type: 'float'; min: number; max: number })
  | (FieldBase & { type: 'enum'; options: readonly string[] })
  | (FieldBase & { type: 'shape' });

export type ShapeResult = { ok: true; shape: Shape } | { ok: false; error: string };

/**
 * Everything the editor and the compiler need to know about one kind of block, owned by the block
 * itself (as tfjs-layers layers own computeOutputShape).
 */
export interface BlockSpec<P extends object = Record<string, unknown>> {
  kind: BlockKind;
  label: string;
  group: BlockGroup;
  /** One sentence for the palette's tooltip. */
  description: string;
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
  /** Active only while training (noise, dropout): shown on the node. */
  trainingOnly?: boolean;
}

export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'elu', 'selu'] as const;
export const ACTIVATION_HELP = 'The non-linearity after the layer: relu inside the network, sigmoid where outputs must be in [0, 1] (pixels for BCE).';
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

export function checkFloat(label: string, value: unknown, min: number, max: number): string[] {
  if (typeof value !== 'number' || !Number.isFinite(value)) return [`${label} must be a number`];
  if (value < min || value > max) return [`${label} must be between ${min} and ${max}`];
  return [];
}

/** Checks every field of a block against its declared bounds; blocks add their own cross-field rules. */
export function checkFields(fields: readonly ParamField[], params: Record<string, unknown>): string[] {
  return fields.flatMap((f) => {
    if (f.visible && !f.visible(params)) return [];
    const value = params[f.name];
    switch (f.type) {
      case 'int':
        return checkInt(f.label, value, f.min, f.max);
      case 'float':
        return checkFloat(f.label, value, f.min, f.max);
      case 'enum':
        return checkEnum(f.label, value, f.options);
      case 'shape':
        return [];
    }
  });
}

/** Output length of a convolution or pooling window along one axis (Keras' conv_output_length). */
export function windowOutput(length: number, window: number, stride: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(length / stride) : Math.floor((length - window) / stride) + 1;
}

export const PADDINGS = ['same', 'valid'] as const;
export const PADDING_HELP = "same pads the edges so the size is only divided by the stride; valid uses whole windows and shrinks the image.";
export type Padding = (typeof PADDINGS)[number];

export function needsImage(input: Shape | null): ShapeResult | null {
  if (!input) return { ok: false, error: 'needs an input' };
  if (input.length !== 3) return { ok: false, error: `expects an image (height×width×channels), got ${input.join('×')}: add a Reshape before it` };
  return null;
}

/**
 * A block from its declaration: its fields' bounds are checked for it, and `check` adds the rules
 * that span fields (e.g. KL sparsity needs a sigmoid code).
 */
export function defineBlock<P extends object>(spec: Omit<BlockSpec<P>, 'checkParams'> & { check?: (params: P) => string[] }): BlockSpec<P> {
  const { check, ...rest } = spec;
  return { ...rest, checkParams: (p) => [...checkFields(spec.fields, p as Record<string, unknown>), ...(check?.(p) ?? [])] };
}

export function checkEnum(label: string, value: unknown, options: readonly string[]): string[] {
  return typeof value === 'string' && options.includes(value) ? [] : [`${label} must be one of ${options.join(', ')}`];
}
