/**
 * The engine keeps all trainable parameters in one flat float32 buffer (and batch norm's moving
 * statistics in another): a model has a handful of inputs and outputs whatever its size, the
 * optimizer updates everything in a few element-wise nodes, and a step moves one buffer per slot
 * across the binding instead of one per tensor.
 */
import type { OnnxBuilder } from '../onnx/builder';
import type { ParamSpec } from './blocks/types';

export interface FlatEntry {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

export interface FlatLayout {
  entries: FlatEntry[];
  total: number;
}

export function flatLayout(specs: readonly ParamSpec[]): FlatLayout {
  let offset = 0;
  const entries = specs.map((s) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const entry = { name: s.name, shape: [...s.shape], offset, size };
    offset += size;
    return entry;
  });
  return { entries, total: offset };
}

/** The tensors of a flat buffer, each in its own shape (Split, then Reshape, which copies nothing). */
export function unflatten(g: OnnxBuilder, flat: string, layout: FlatLayout): Map<string, string> {
  const out = new Map<string, string>();
  if (!layout.entries.length) return out;
  const pieces = layout.entries.length === 1 ? [flat] : g.opN('Split', [flat, g.int64(layout.entries.map((e) => e.size))], layout.entries.length, { axis: { i: 0 } }, `${flat}_split`);
  layout.entries.forEach((e, i) => out.set(e.name, g.op('Reshape', [pieces[i]!, g.int64(e.shape)], {}, e.name)));
  return out;
}

/** Tensors (by name, in the layout's order) as one flat buffer; a missing one is zeros. */
export function flatten(g: OnnxBuilder, values: ReadonlyMap<string, string | null>, layout: FlatLayout, hint: string): string {
  const parts = layout.entries.map((e) => {
    const v = values.get(e.name);
    return v ? g.op('Reshape', [v, g.int64([-1])], {}, `${hint}/${e.name}`) : g.op('ConstantOfShape', [g.int64([e.size])], {}, `${hint}/${e.name}_zeros`);
  });
  return parts.length === 1 ? parts[0]! : g.op('Concat', parts, { axis: { i: 0 } }, hint);
}

/** Views of a flat buffer as named tensors, for checkpoints. */
export function splitFlat(flat: Float32Array, layout: FlatLayout): { name: string; shape: number[]; data: Float32Array }[] {
  return layout.entries.map((e) => ({ name: e.name, shape: e.shape, data: flat.slice(e.offset, e.offset + e.size) }));
}

/** Named tensors gathered into a flat buffer, checking that each is there with its shape. */
export function joinFlat(tensors: readonly { name: string; shape: number[]; data: Float32Array }[], layout: FlatLayout, what: string): Float32Array {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const out = new Float32Array(layout.total);
  for (const e of layout.entries) {
    const t = byName.get(e.name);
    if (!t) throw new Error(`the checkpoint has no ${what} ${e.name}: was the graph changed?`);
    if (t.shape.join('x') !== e.shape.join('x')) throw new Error(`checkpoint ${what} ${e.name} is ${t.shape.join('×')}, the model needs ${e.shape.join('×')}`);
    out.set(t.data, e.offset);
  }
  return out;
}
