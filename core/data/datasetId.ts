/**
 * Dataset ids, the one place that writes and reads them:
 *   builtin:<name>[?train=N&validation=M]   the first N training and M validation images of a built-in set
 *   folder:<encoded absolute path>?h=28&w=28&c=1&fit=cover&split=0.1&seed=42   an image folder with its settings
 */
import { FIT_MODES, type FitMode, type Preprocessing } from './preprocessing';
import { excerpt } from '../limits';

export type DatasetRef = { kind: 'builtin'; name: string; train?: number; validation?: number } | { kind: 'folder'; path: string; preprocessing: Preprocessing };

const BUILTIN_PREFIX = 'builtin:';
const FOLDER_PREFIX = 'folder:';

/** `folder:<absolute path>?h=28&w=28&c=1&fit=cover&split=0.1&seed=42`: a dataset id carries its settings. */
export function folderDatasetId(path: string, p: Preprocessing): string {
  const q = new URLSearchParams({ h: String(p.height), w: String(p.width), c: String(p.channels), fit: p.fit, split: String(p.validationSplit), seed: String(p.seed) });
  return `${FOLDER_PREFIX}${encodeURIComponent(path)}?${q.toString()}`;
}

/** `builtin:<name>`, with `?train=N&validation=M` for a subset. */
export function builtinDatasetId(name: string, subset: { train?: number; validation?: number } = {}): string {
  const q = new URLSearchParams();
  if (subset.train !== undefined) q.set('train', String(subset.train));
  if (subset.validation !== undefined) q.set('validation', String(subset.validation));
  const query = q.toString();
  return `${BUILTIN_PREFIX}${name}${query ? `?${query}` : ''}`;
}

export function isFolderDatasetId(id: string): boolean {
  return id.startsWith(FOLDER_PREFIX);
}

/** Whether an id names a built-in set (its name and counts are not checked: parseDatasetId does). */
export function isBuiltinDatasetId(id: string): boolean {
  return id.startsWith(BUILTIN_PREFIX);
}

/** Reads a dataset id; throws an Error naming what is wrong (an unknown kind, a bad count or setting). */
export function parseDatasetId(id: string): DatasetRef {
  const at = id.indexOf('?');
  const base = at < 0 ? id : id.slice(0, at);
  const q = new URLSearchParams(at < 0 ? '' : id.slice(at + 1));
  if (base.startsWith(BUILTIN_PREFIX)) {
    const name = base.slice(BUILTIN_PREFIX.length);
    if (!name) throw new Error(`dataset "${excerpt(id)}": no built-in dataset named`);
    const count = (key: 'train' | 'validation') => {
      if (!q.has(key)) return {};
      const n = Number(q.get(key));
      if (!Number.isInteger(n) || n < 1) throw new Error(`dataset "${excerpt(id)}": ${key} must be a whole number ≥ 1`);
      return { [key]: n };
    };
    return { kind: 'builtin', name, ...count('train'), ...count('validation') };
  }
  if (base.startsWith(FOLDER_PREFIX)) {
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
    let path: string;
    try {
      path = decodeURIComponent(base.slice(FOLDER_PREFIX.length));
    } catch {
      throw new Error(`dataset "${excerpt(id)}": the folder path is not properly encoded`);
    }
    return {
      kind: 'folder',
      path,
      preprocessing: { height: int('h', 28, 1, 512), width: int('w', 28, 1, 512), channels: channels as 1 | 3, fit, validationSplit: split, seed: int('seed', 42, 0, 2 ** 31 - 1) },
    };
  }
  throw new Error(`unknown dataset "${excerpt(id)}": an id starts with ${BUILTIN_PREFIX} or ${FOLDER_PREFIX}`);
}
