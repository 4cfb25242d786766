/** Image folders as datasets: the pure part (settings, ids, the split). Reading files is the backend's. */
import { seededRandom } from '../train/random';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp', '.tif', '.tiff'] as const;
export const FIT_MODES = ['cover', 'contain', 'fill'] as const;
export type FitMode = (typeof FIT_MODES)[number];
export const UNLABELED = 'unlabeled';
export const MAX_DEFAULT_SIDE = 64;

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

export interface ImageProbe {
  width: number;
  height: number;
  /** Colour channels without alpha. */
  channels: number;
}

/**
 * The first run's settings: the most common size, scaled down to fit 64×64 keeping its aspect,
 * grayscale when every probed image is, RGB otherwise.
 */
export function defaultPreprocessing(probes: ImageProbe[], seed = 42): Preprocessing {
  const counts = new Map<string, number>();
  for (const p of probes) counts.set(`${p.width}x${p.height}`, (counts.get(`${p.width}x${p.height}`) ?? 0) + 1);
  const [common] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['28x28'];
  let [width, height] = common.split('x').map(Number) as [number, number];
  const scale = Math.min(1, MAX_DEFAULT_SIDE / Math.max(width, height));
  width = Math.max(1, Math.round(width * scale));
  height = Math.max(1, Math.round(height * scale));
  const channels = probes.length > 0 && probes.every((p) => p.channels === 1) ? 1 : 3;
  return { height, width, channels, fit: 'cover', validationSplit: 0.1, seed };
}

/** A seeded split that keeps each class's share: round(split × n) of every class goes to validation (at least 1 when n ≥ 2). */
export function stratifiedSplit(labels: ArrayLike<number>, split: number, seed: number): { train: number[]; validation: number[] } {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) byClass.set(labels[i]!, [...(byClass.get(labels[i]!) ?? []), i]);
  const random = seededRandom(seed);
  const train: number[] = [];
  const validation: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = byClass.get(label)!;
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    const held = idx.length < 2 ? 0 : Math.max(1, Math.round(split * idx.length));
    validation.push(...idx.slice(0, held));
    train.push(...idx.slice(held));
  }
  return { train: train.sort((a, b) => a - b), validation: validation.sort((a, b) => a - b) };
}

const FOLDER_PREFIX = 'folder:';

/** `folder:<absolute path>?h=28&w=28&c=1&fit=cover&split=0.1&seed=42`: a dataset id carries its settings. */
export function folderDatasetId(path: string, p: Preprocessing): string {
  const q = new URLSearchParams({ h: String(p.height), w: String(p.width), c: String(p.channels), fit: p.fit, split: String(p.validationSplit), seed: String(p.seed) });
  return `${FOLDER_PREFIX}${encodeURIComponent(path)}?${q.toString()}`;
}

export function isFolderDatasetId(id: string): boolean {
  return id.startsWith(FOLDER_PREFIX);
}

export function parseFolderDatasetId(id: string): { path: string; preprocessing: Preprocessing } {
  if (!isFolderDatasetId(id)) throw new Error(`not a folder dataset id: "${id}"`);
  const [encoded, query = ''] = id.slice(FOLDER_PREFIX.length).split('?');
  const q = new URLSearchParams(query);
  const int = (key: string, fallback: number, min: number, max: number) => {
    const v = q.has(key) ? Number(q.get(key)) : fallback;
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`dataset settings: ${key} must be a whole number from ${min} to ${max}`);
    return v;
  };
  const fit = (q.get('fit') ?? 'cover') as FitMode;
  if (!FIT_MODES.includes(fit)) throw new Error(`dataset settings: fit must be one of ${FIT_MODES.join(', ')}`);
  const split = q.has('split') ? Number(q.get('split')) : 0.1;
  if (!(split > 0 && split < 0.9)) throw new Error('dataset settings: split must be between 0 and 0.9');
  const channels = int('c', 1, 1, 3);
  if (channels === 2) throw new Error('dataset settings: c must be 1 (grayscale) or 3 (RGB)');
  return {
    path: decodeURIComponent(encoded!),
    preprocessing: { height: int('h', 28, 1, 512), width: int('w', 28, 1, 512), channels: channels as 1 | 3, fit, validationSplit: split, seed: int('seed', 42, 0, 2 ** 31 - 1) },
  };
}
