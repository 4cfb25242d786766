/** The settings that turn an image folder into a dataset: carried in its dataset id, recorded in run.json. */
export const FIT_MODES = ['cover', 'contain', 'fill'] as const;
export type FitMode = (typeof FIT_MODES)[number];

/**
 * What a transparent pixel becomes: composited onto white or black, or kept as a last channel
 * (alpha, 0..255) after the colour ones. Icons often draw their shape in alpha alone (black pixels,
 * the shape only in alpha): on black they vanish, hence white by default.
 */
export const BACKGROUNDS = ['white', 'black', 'alpha'] as const;
export type Background = (typeof BACKGROUNDS)[number];
export const DEFAULT_BACKGROUND: Background = 'white';

export interface Preprocessing {
  height: number;
  width: number;
  /** Colour channels: 1 (grayscale) or 3 (RGB); a kept alpha channel comes on top (decodedChannels). */
  channels: 1 | 3;
  fit: FitMode;
  /** Share of each class held out for validation. */
  validationSplit: number;
  seed: number;
  background: Background;
}

/** Channels per decoded pixel: the colour ones, and alpha when it is kept. */
export function decodedChannels(p: Pick<Preprocessing, 'channels' | 'background'>): number {
  return p.channels + (p.background === 'alpha' ? 1 : 0);
}

/** The colour channels and background for a model input of `channels` (2 and 4 carry alpha). */
export function colourOf(channels: number, background: Background): Pick<Preprocessing, 'channels' | 'background'> {
  if (channels === 2 || channels === 4) return { channels: channels === 4 ? 3 : 1, background: 'alpha' };
  return { channels: channels === 3 ? 3 : 1, background: background === 'alpha' ? DEFAULT_BACKGROUND : background };
}

/** "grayscale", "RGB", "RGB with alpha": a model's or dataset's channels in words. */
export function colourName(channels: number): string {
  return ['grayscale', 'grayscale with alpha', 'RGB', 'RGBA'][channels - 1] ?? `${channels} channels`;
}

/** What transparent pixels become, in words: "composited onto white", "kept as an alpha channel". */
export function backgroundNote(background: Background): string {
  return background === 'alpha' ? 'transparency kept as an alpha channel' : `transparent pixels composited onto ${background}`;
}

/**
 * How images are fitted to a model: its input size and channels, with the fit, split and background
 * of the run's image folder when it trained on one (`fromRun`), else cover, 0.1, 42 and white.
 */
export function modelPreprocessing(model: { height: number; width: number; channels: number }, fromRun: Preprocessing | null): Preprocessing {
  return {
    height: model.height,
    width: model.width,
    ...colourOf(model.channels, fromRun?.background ?? DEFAULT_BACKGROUND),
    fit: fromRun?.fit ?? 'cover',
    validationSplit: fromRun?.validationSplit ?? 0.1,
    seed: fromRun?.seed ?? 42,
  };
}
