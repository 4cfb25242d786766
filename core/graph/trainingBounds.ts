/**
 * The numeric training settings' bounds: the one source the graph schema validates against, the
 * CLI checks its options with, and the Inspector draws its fields from.
 */
import type { TrainingSettings } from './types';

export interface SettingBounds {
  label: string;
  /** One sentence for a tooltip. */
  help: string;
  min: number;
  /** The value must be above `min`, not equal to it (a learning rate of 0 trains nothing). */
  exclusiveMin?: boolean;
  max: number;
  integer: boolean;
  /** A sensible increment for a spinner. */
  step: number;
}

export type NumericTrainingSetting = { [K in keyof TrainingSettings]: TrainingSettings[K] extends number ? K : never }[keyof TrainingSettings];

export const TRAINING_BOUNDS: Record<NumericTrainingSetting, SettingBounds> = {
  epochs: { label: 'Epochs', help: 'Passes over the training images.', min: 1, max: 10_000, integer: true, step: 1 },
  batchSize: { label: 'Batch size', help: 'Images per optimizer step; a dataset with fewer training images uses them all.', min: 1, max: 65_536, integer: true, step: 1 },
  learningRate: { label: 'Learning rate', help: "How far each step moves the weights; lower it when the loss diverges.", min: 0, exclusiveMin: true, max: 1000, integer: false, step: 1e-4 },
  seed: { label: 'Seed', help: 'Fixes the initial weights, the shuffles and the noise: the same seed repeats a run.', min: 0, max: 2 ** 31 - 1, integer: true, step: 1 },
  momentum: { label: 'Momentum', help: 'SGD only: how much of the last step carries into the next (0: plain SGD).', min: 0, max: 0.999, integer: false, step: 0.01 },
  validationSplit: { label: 'Validation split', help: 'Share of the training images held out for validation when the dataset has no validation split.', min: 0.01, max: 0.5, integer: false, step: 0.01 },
  earlyStoppingPatience: { label: 'Patience (0: off)', help: 'Stop when the validation loss has not improved for this many epochs.', min: 0, max: 1000, integer: true, step: 1 },
  refreshEvery: { label: 'Refresh plots every', help: 'Recompute the latent projection and reconstructions every this many epochs (and at the last).', min: 1, max: 1000, integer: true, step: 1 },
};

const number = (v: number) => (Number.isInteger(v) ? v.toLocaleString('en') : String(v));

/** What a value must be, in words: "a whole number from 1 to 10,000", "a number above 0 and at most 1,000". */
export function describeBounds(b: SettingBounds): string {
  const kind = b.integer ? 'a whole number' : 'a number';
  return b.exclusiveMin ? `${kind} above ${number(b.min)} and at most ${number(b.max)}` : `${kind} from ${number(b.min)} to ${number(b.max)}`;
}

/** Null when `value` is a valid `setting`, else what it must be ("must be a whole number from 1 to 10,000"). */
export function checkTrainingValue(setting: NumericTrainingSetting, value: number): string | null {
  const b = TRAINING_BOUNDS[setting];
  const ok = Number.isFinite(value) && (!b.integer || Number.isInteger(value)) && (b.exclusiveMin ? value > b.min : value >= b.min) && value <= b.max;
  return ok ? null : `must be ${describeBounds(b)}`;
}
