/**
 * Reverse-mode differentiation over the ONNX nodes a forward pass wrote. Each primitive records
 * what it read and wrote and a rule that writes its gradient nodes; `gradients` walks the record
 * backwards from the loss, summing where a value fed several consumers. Only values that depend on
 * a trainable parameter carry gradients, so the pass never computes a gradient nobody needs (the
 * input image's, for one).
 */
import type { OnnxBuilder } from '../onnx/builder';

export interface TapeEntry {
  inputs: readonly string[];
  outputs: readonly string[];
  /**
   * Writes the gradients of `inputs` from those of `outputs` (null where an output's gradient is
   * zero). `needed[i]` says whether input i's gradient is wanted; return null for the others.
   */
  backward(g: OnnxBuilder, dOutputs: (string | null)[], needed: boolean[]): (string | null)[];
}

export class Tape {
  private readonly entries: TapeEntry[] = [];
  private readonly differentiable = new Set<string>();

  /** Marks values gradients are taken with respect to (the parameters). */
  watch(...names: string[]): void {
    for (const n of names) this.differentiable.add(n);
  }

  requiresGrad(name: string): boolean {
    return this.differentiable.has(name);
  }

  /** Records a primitive; its outputs carry gradients when any input does. */
  record(entry: TapeEntry): void {
    if (!entry.inputs.some((i) => this.differentiable.has(i))) return;
    for (const o of entry.outputs) this.differentiable.add(o);
    this.entries.push(entry);
  }

  /**
   * The gradients of `wanted` given gradients flowing into some values (`seeds`: [value, its
   * gradient] pairs, summed where a value appears twice; a loss term's gradient with respect to what
   * it read). A wanted value nothing depends on gets null.
   */
  gradients(g: OnnxBuilder, seeds: Iterable<readonly [string, string]>, wanted: readonly string[]): Map<string, string | null> {
    const pending = new Map<string, string[]>();
    const add = (name: string, grad: string) => {
      const list = pending.get(name);
      if (list) list.push(grad);
      else pending.set(name, [grad]);
    };
    const total = (name: string): string | null => {
      const list = pending.get(name);
      if (!list?.length) return null;
      if (list.length > 1) {
        // Pairwise Adds rather than one Sum: a GPU shader binds only a few buffers.
        const sum = list.reduce((acc, grad) => g.op('Add', [acc, grad], {}, `d_${safe(name)}`));
        pending.set(name, [sum]);
        return sum;
      }
      return list[0]!;
    };
    for (const [name, grad] of seeds) add(name, grad);
    for (let k = this.entries.length - 1; k >= 0; k--) {
      const entry = this.entries[k]!;
      const dOutputs = entry.outputs.map(total);
      if (dOutputs.every((d) => d === null)) continue;
      const needed = entry.inputs.map((i) => this.differentiable.has(i));
      const dInputs = entry.backward(g, dOutputs, needed);
      dInputs.forEach((d, i) => {
        if (d && needed[i]) add(entry.inputs[i]!, d);
      });
    }
    return new Map(wanted.map((w) => [w, total(w)]));
  }
}

/** A value name as a readable part of another name. */
export function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9_./-]/g, '_');
}
