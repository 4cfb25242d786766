/** The settings that turn an image folder into a dataset: carried in its dataset id, recorded in run.json. */
export const FIT_MODES = ['cover', 'contain', 'fill'] as const;
export type FitMode = (typeof FIT_MODES)[number];

export interface Preprocessing {
  height: number;
  width: number;
  /** 1 (grayscale) or 3 (RGB). */
  channels: 1 | 3;
  fit: FitMode;
  /** Share of each class held out for validation. */
  validationSplit: number;
  seed: number;
}
