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

/**
 * A GPU shader may bind only a few buffers (WebGPU guarantees 8 storage buffers per stage), so no
 * node here reads or writes more than this many tensors: one Slice per parameter rather than one
 * Split, and concatenations in a tree.
 */
export const MAX_NODE_TENSORS = 6;

/** The tensors of a flat buffer, each in its own shape (a Slice each, then Reshape, which copies nothing). */
export function unflatten(g: OnnxBuilder, flat: string, layout: FlatLayout): Map<string, string> {
  const out = new Map<string, string>();
  const axis = g.int64([0]);
  for (const e of layout.entries) {
    const piece = layout.entries.length === 1 ? flat : g.op('Slice', [flat, g.int64([e.offset]), g.int64([e.offset + e.size]), axis], {}, `${e.name}_flat`);
    out.set(e.name, g.op('Reshape', [piece, g.int64(e.shape)], {}, e.name));
  }
  return out;
}

/** Concat along `axis`, as a tree of nodes with at most MAX_NODE_TENSORS − 1 inputs. */
export function concatTree(g: OnnxBuilder, parts: readonly string[], hint: string, axis = 0): string {
  let level = [...parts];
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += MAX_NODE_TENSORS - 1) {
      const group = level.slice(i, i + MAX_NODE_TENSORS - 1);
      next.push(group.length === 1 ? group[0]! : g.op('Concat', group, { axis: { i: axis } }, hint));
    }
    level = next;
  }
  return level[0]!;
}

/** Tensors (by name, in the layout's order) as one flat buffer; a missing one is zeros. */
export function flatten(g: OnnxBuilder, values: ReadonlyMap<string, string | null>, layout: FlatLayout, hint: string): string {
  const parts = layout.entries.map((e) => {
    const v = values.get(e.name);
    return v ? g.op('Reshape', [v, g.int64([-1])], {}, `${hint}/${e.name}`) : g.op('ConstantOfShape', [g.int64([e.size])], {}, `${hint}/${e.name}_zeros`);
  });
  return concatTree(g, parts, `${hint}_concat`);
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
    if (!t) throw new Error(`the checkpoint has no ${what} for ${e.name}: was the graph changed?`);
    if (t.shape.join('x') !== e.shape.join('x')) throw new Error(`checkpoint ${what} ${e.name} are ${t.shape.join('×')}, the model needs ${e.shape.join('×')}`);
    out.set(t.data, e.offset);
  }
  return out;
}
