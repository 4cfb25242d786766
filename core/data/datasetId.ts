/**
 * Dataset ids, the one place that writes and reads them:
 *   builtin:<name>[?train=N&validation=M]   the first N training and M validation images of a built-in set
 *   folder:<encoded absolute path>?h=28&w=28&c=1&fit=cover&split=0.1&seed=42&bg=white   an image folder with its settings
 * (an id without `bg` was written before the choice existed, when transparency was always flattened on black)
 * Either may end in `&classes=0,2,3`: the classes the training split keeps (by index in the class
 * names); the validation split keeps every class, so a class held out of training can be scored.
 */
import { BACKGROUNDS, backgroundNote, colourName, decodedChannels, FIT_MODES, type Background, type FitMode, type Preprocessing } from './preprocessing';
import { excerpt } from '../limits';

export type DatasetRef = ({ kind: 'builtin'; name: string; train?: number; validation?: number } | { kind: 'folder'; path: string; preprocessing: Preprocessing }) & {
  /** The classes the training split keeps, ascending; absent: all. */
  classes?: number[];
};

const BUILTIN_PREFIX = 'builtin:';
const FOLDER_PREFIX = 'folder:';

/** `folder:<absolute path>?h=28&w=28&c=1&fit=cover&split=0.1&seed=42&bg=white`: a dataset id carries its settings. */
export function folderDatasetId(path: string, p: Preprocessing, classes?: readonly number[]): string {
  const q = new URLSearchParams({ h: String(p.height), w: String(p.width), c: String(p.channels), fit: p.fit, split: String(p.validationSplit), seed: String(p.seed), bg: p.background });
  return `${FOLDER_PREFIX}${encodeURIComponent(path)}${query(q, classes)}`;
}

/** `builtin:<name>`, with `?train=N&validation=M` for a subset. */
export function builtinDatasetId(name: string, subset: { train?: number; validation?: number } = {}, classes?: readonly number[]): string {
  const q = new URLSearchParams();
  if (subset.train !== undefined) q.set('train', String(subset.train));
  if (subset.validation !== undefined) q.set('validation', String(subset.validation));
  return `${BUILTIN_PREFIX}${name}${query(q, classes)}`;
}

/** `?…` with `classes` last and its commas as they are (readable in run.json and on a command line). */
function query(q: URLSearchParams, classes: readonly number[] | undefined): string {
  const parts = [q.toString(), classes ? `classes=${[...new Set(classes)].sort((a, b) => a - b).join(',')}` : ''].filter(Boolean);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** The same dataset training on `classes` only, or on every class (null). */
export function withClasses(id: string, classes: readonly number[] | null): string {
  const ref = parseDatasetId(id);
  const kept = classes ?? undefined;
  return ref.kind === 'builtin' ? builtinDatasetId(ref.name, ref, kept) : folderDatasetId(ref.path, ref.preprocessing, kept);
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
    return { kind: 'builtin', name, ...count('train'), ...count('validation'), ...classesOf(id, q) };
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
    // Ids from before the choice: transparency was flattened on black, and re-reading their data must do the same.
    const background = (q.get('bg') ?? 'black') as Background;
    if (!BACKGROUNDS.includes(background)) throw new Error(`dataset settings: bg must be one of ${BACKGROUNDS.join(', ')}`);
    let path: string;
    try {
      path = decodeURIComponent(base.slice(FOLDER_PREFIX.length));
    } catch {
      throw new Error(`dataset "${excerpt(id)}": the folder path is not properly encoded`);
    }
    return {
      kind: 'folder',
      path,
      preprocessing: { height: int('h', 28, 1, 512), width: int('w', 28, 1, 512), channels: channels as 1 | 3, fit, validationSplit: split, seed: int('seed', 42, 0, 2 ** 31 - 1), background },
      ...classesOf(id, q),
    };
  }
  throw new Error(`unknown dataset "${excerpt(id)}": an id starts with ${BUILTIN_PREFIX} or ${FOLDER_PREFIX}`);
}

/** Class indices can exceed any real dataset's count only by a typo: bounded so a huge list is refused early. */
const MAX_CLASS_INDEX = 9_999;

function classesOf(id: string, q: URLSearchParams): { classes?: number[] } {
  if (!q.has('classes')) return {};
  const text = q.get('classes')!;
  const classes = text.split(',').map((part) => (part.trim() === '' ? Number.NaN : Number(part)));
  if (classes.some((c) => !Number.isInteger(c) || c < 0 || c > MAX_CLASS_INDEX)) {
    throw new Error(`dataset "${excerpt(id)}": classes must be class numbers from 0 to ${MAX_CLASS_INDEX}, separated by commas`);
  }
  return { classes: [...new Set(classes)].sort((a, b) => a - b) };
}

/**
 * A dataset id as a person reads it: "the image folder /data/icons (28×28 grayscale, cover, 10 %
 * held out for validation, seed 42, transparent pixels composited onto white)", "the built-in
 * fashion-mnist (the first 2000 training and 500 validation images)"; the id itself if it cannot be read.
 */
export function describeDatasetId(id: string): string {
  let ref: DatasetRef;
  try {
    ref = parseDatasetId(id);
  } catch {
    return id;
  }
  const classes = ref.classes ? `, training on classes ${ref.classes.join(', ')}` : '';
  if (ref.kind === 'builtin') {
    const subset = [ref.train !== undefined && `the first ${ref.train} training`, ref.validation !== undefined && `the first ${ref.validation} validation`].filter(Boolean).join(' and ');
    return `the built-in ${ref.name}${subset || classes ? ` (${[subset && `${subset} images`, classes.slice(2)].filter(Boolean).join(', ')})` : ''}`;
  }
  const p = ref.preprocessing;
  return `the image folder ${ref.path} (${p.height}×${p.width} ${colourName(decodedChannels(p))}, ${p.fit}, ${Math.round(p.validationSplit * 100)} % held out for validation, seed ${p.seed}, ${backgroundNote(p.background)}${classes})`;
}
