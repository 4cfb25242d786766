/** What every primitive writes into: the graph, the tape (null when nothing is differentiated), the mode. */
import type { OnnxBuilder } from '../../onnx/builder';
import type { Tape } from '../tape';

export type ModelTarget = 'cpu' | 'gpu' | 'file';

export interface OpContext {
  g: OnnxBuilder;
  tape: Tape | null;
  /** Training mode: noise and dropout act, batch norm uses the batch's statistics and updates its moving ones. */
  training: boolean;
  /**
   * What the model is for: the CPU provider, a GPU provider (which lacks MaxPool's indices output and
   * scatters, so that gradient is written differently), or a file for other tools.
   */
  target?: ModelTarget;
}

/** The number of rows of x (its first dimension) as a float32 [1] tensor, for means over a batch of any size. */
export function rowCount(g: OnnxBuilder, x: string): string {
  return g.op('Cast', [g.op('Shape', [x], { end: { i: 1 } })], { to: { i: 1 } }, 'rows');
}

/** The number of elements of x as a float32 [1] tensor. */
export function elementCount(g: OnnxBuilder, x: string): string {
  return g.op('Cast', [g.op('Reshape', [g.op('Size', [x]), g.int64([1])])], { to: { i: 1 } }, 'count');
}

/** x · s, where s may be the constant 1 (then x itself). */
export function scaled(g: OnnxBuilder, x: string, s: string | number): string {
  if (s === 1) return x;
  return g.op('Mul', [x, typeof s === 'number' ? g.float(s) : s]);
}

/** 1 where the condition holds, else 0, as float32. */
export function indicator(g: OnnxBuilder, condition: string): string {
  return g.op('Cast', [condition], { to: { i: 1 } });
}
