/** Image folders as datasets: the pure part (default settings, the split). Reading files is the backend's. */
import { seededRandom } from '../train/random';
import { DEFAULT_BACKGROUND, type Preprocessing } from './preprocessing';

// Where folder code and the renderer have always found them; the id format lives in datasetId.ts.
export { folderDatasetId } from './datasetId';
export { BACKGROUNDS, FIT_MODES, type Background, type FitMode, type Preprocessing } from './preprocessing';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp', '.tif', '.tiff'] as const;
export const UNLABELED = 'unlabeled';
export const MAX_DEFAULT_SIDE = 64;

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
  return { height, width, channels, fit: 'cover', validationSplit: 0.1, seed, background: DEFAULT_BACKGROUND };
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
