/**
 * The numeric training settings' bounds: the one source the graph schema validates against, the
 * CLI checks its options with, and the Inspector draws its fields from.
 */
import type { Augmentation, LearningRateSchedule, TrainingSettings } from './types';

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

type NumericKeys<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T];
export type NumericTrainingSetting = NumericKeys<TrainingSettings>;
export type NumericScheduleSetting = NumericKeys<LearningRateSchedule>;
export type NumericAugmentationSetting = NumericKeys<Augmentation>;

export const TRAINING_BOUNDS: Record<NumericTrainingSetting, SettingBounds> = {
  epochs: { label: 'Epochs', help: 'Passes over the training images.', min: 1, max: 10_000, integer: true, step: 1 },
  batchSize: { label: 'Batch size', help: 'Images per optimizer step; a dataset with fewer training images uses them all.', min: 1, max: 65_536, integer: true, step: 1 },
  learningRate: { label: 'Learning rate', help: "How far each step moves the weights; lower it when the loss diverges.", min: 0, exclusiveMin: true, max: 1000, integer: false, step: 1e-4 },
  seed: { label: 'Seed', help: 'Fixes the initial weights, the shuffles and the noise: the same seed repeats a run.', min: 0, max: 2 ** 31 - 1, integer: true, step: 1 },
  momentum: { label: 'Momentum', help: 'SGD only: how much of the last step carries into the next (0: plain SGD).', min: 0, max: 0.999, integer: false, step: 0.01 },
  validationSplit: { label: 'Validation split', help: 'Share of the training images held out for validation when the dataset has no validation split.', min: 0.01, max: 0.5, integer: false, step: 0.01 },
  earlyStoppingPatience: { label: 'Patience (0: off)', help: 'Stop when the validation loss has not improved for this many epochs.', min: 0, max: 1000, integer: true, step: 1 },
  refreshEvery: { label: 'Refresh plots every', help: 'Recompute the latent projection and reconstructions every this many epochs (and at the last).', min: 1, max: 1000, integer: true, step: 1 },
  weightDecay: {
    label: 'Weight decay',
    help: 'Each step also shrinks every weight by learning rate × this share of itself (decoupled, as AdamW; for SGD and RMSprop too). It keeps weights small against overfitting; watch the validation loss: too much and both losses stall high.',
    min: 0,
    max: 1,
    integer: false,
    step: 1e-4,
  },
};

export const SCHEDULE_BOUNDS: Record<NumericScheduleSetting, SettingBounds> = {
  warmupEpochs: { label: 'Warm-up epochs', help: 'The learning rate rises linearly from 0 over this many epochs (0: no warm-up); it steadies the first steps of Adam and of large batches.', min: 0, max: 1000, integer: false, step: 1 },
  stepEvery: { label: 'Step every (epochs)', help: 'Step schedule: the learning rate is multiplied by the factor every this many epochs.', min: 1, max: 10_000, integer: true, step: 1 },
  stepFactor: { label: 'Step factor', help: 'Step schedule: what the learning rate is multiplied by at each step (0.5 halves it).', min: 0, exclusiveMin: true, max: 1, integer: false, step: 0.05 },
  floor: { label: 'Cosine floor', help: "Cosine schedule: where the learning rate ends, as a share of the learning rate (0: down to 0).", min: 0, max: 1, integer: false, step: 0.01 },
  length: { label: 'Cosine epochs (0: all)', help: "Cosine schedule: epochs from the top to the floor (0: the run's epochs when it starts). Continuing a run keeps its length: the added epochs train at the floor.", min: 0, max: 10_000, integer: true, step: 1 },
};

export const AUGMENTATION_BOUNDS: Record<NumericAugmentationSetting, SettingBounds> = {
  shift: { label: 'Shift (share)', help: 'Most shift of an image, as a share of its width and height, either way (0: none).', min: 0, max: 0.25, integer: false, step: 0.01 },
  rotation: { label: 'Rotation (°)', help: 'Most rotation of an image, in degrees either way (0: none).', min: 0, max: 30, integer: false, step: 1 },
  brightness: { label: 'Brightness (±)', help: 'Most change of brightness, added to pixels in [0, 1], either way (0: none).', min: 0, max: 0.5, integer: false, step: 0.01 },
};

/** The bounds of a numeric training setting by its path ("training.learningRate", "training.schedule.floor"); null when it has none. */
export function trainingBoundsAt(path: string): SettingBounds | null {
  const [root, group, name, ...rest] = path.split('.');
  if (root !== 'training' || rest.length) return null;
  if (name === undefined) return Object.hasOwn(TRAINING_BOUNDS, group!) ? TRAINING_BOUNDS[group as NumericTrainingSetting] : null;
  if (group === 'schedule') return Object.hasOwn(SCHEDULE_BOUNDS, name) ? SCHEDULE_BOUNDS[name as NumericScheduleSetting] : null;
  if (group === 'augmentation') return Object.hasOwn(AUGMENTATION_BOUNDS, name) ? AUGMENTATION_BOUNDS[name as NumericAugmentationSetting] : null;
  return null;
}

const number = (v: number) => (Number.isInteger(v) ? v.toLocaleString('en') : String(v));

/** What a value must be, in words: "a whole number from 1 to 10,000", "a number above 0 and at most 1,000". */
export function describeBounds(b: SettingBounds): string {
  const kind = b.integer ? 'a whole number' : 'a number';
  return b.exclusiveMin ? `${kind} above ${number(b.min)} and at most ${number(b.max)}` : `${kind} from ${number(b.min)} to ${number(b.max)}`;
}

/** Null when `value` is a valid `setting`, else what it must be ("must be a whole number from 1 to 10,000"). */
export function checkTrainingValue(setting: NumericTrainingSetting, value: number): string | null {
  return checkBounds(TRAINING_BOUNDS[setting], value);
}

/** Null when `value` is within `b`, else what it must be. */
export function checkBounds(b: SettingBounds, value: number): string | null {
  const ok = Number.isFinite(value) && (!b.integer || Number.isInteger(value)) && (b.exclusiveMin ? value > b.min : value >= b.min) && value <= b.max;
  return ok ? null : `must be ${describeBounds(b)}`;
}
