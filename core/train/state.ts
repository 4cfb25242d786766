/**
 * A run's state at the end of an epoch, as checkpoints keep it: weights by name (tfjs' names and
 * layouts since the first engine, `layer/kernel`), the optimizer's slots (`layer/kernel/m`, and
 * `iter`, the steps taken), and where each noise stream stands. Converted here to and from the
 * engine's flat buffers.
 */
import type { FlatLayout } from '../compile/flatParams';
import { joinFlat, splitFlat } from '../compile/flatParams';

/** A tensor as plain data, for checkpoints: written to disk by the backend, restored on resume. */
export interface SavedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Everything a run needs to continue exactly where an epoch ended. */
export interface TrainingState {
  epoch: number;
  step: number;
  bestValLoss: number;
  epochsSinceBest: number;
  weights: SavedTensor[];
  optimizer: SavedTensor[];
  /**
   * Where each seeded noise stream stands (its training calls), by layer name. Every step draws
   * once from every stream, so it is the step count; kept for checkpoints' readers since version 2.
   */
  sampling?: NoiseState[];
}

export interface NoiseState {
  name: string;
  calls: number;
}

/** The optimizer state as named tensors: `iter`, then each slot's tensors (`weight/slot`), in tfjs' order. */
export function namedOptimizerState(slots: readonly string[], flats: readonly Float32Array[], layout: FlatLayout, step: number): SavedTensor[] {
  const out: SavedTensor[] = [{ name: 'iter', shape: [], data: Float32Array.of(step) }];
  slots.forEach((slot, i) => out.push(...splitFlat(flats[i]!, layout).map((t) => ({ ...t, name: `${t.name}/${slot}` }))));
  return out;
}

/**
 * Saved optimizer slots as flat buffers in `layout`. The first engine may have suffixed a
 * variable's name (`dense-3/kernel_1/m`) when an earlier model in the process used it: the suffix
 * is ignored. A slot the checkpoint lacks for every weight starts at zero (a checkpoint without
 * optimizer state); one it has for some weights only is an error.
 */
export function flatOptimizerState(saved: readonly SavedTensor[], slots: readonly string[], layout: FlatLayout): Float32Array[] {
  return slots.map((slot) => {
    const ofSlot = saved
      .filter((s) => s.name.endsWith(`/${slot}`))
      .map((s) => ({ ...s, name: s.name.slice(0, -slot.length - 1).replace(/_\d+$/, '') }));
    if (!ofSlot.length) return new Float32Array(layout.total);
    return joinFlat(ofSlot, layout, `optimizer state ${slot} of`);
  });
}
