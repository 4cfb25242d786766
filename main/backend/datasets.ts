import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { classesNote, imageSize, keepClasses, parseIdx, subsetDataset, type ImageDataset } from '../../core/data/dataset';
import type { DatasetInfo } from '../../core/api';
import { builtinDatasetId, parseDatasetId } from '../../core/data/datasetId';
import type { DatasetProgressEvent, RunDataset } from '../../core/train/events';
import { decodeFolder, type SplitFiles } from './datasetCache';
import { scanFolder } from './folderScan';
import { assetsDir, workspaceDir } from './paths';
import { excerpt } from '../../core/limits';

export const BUILTIN_FASHION_MNIST = builtinDatasetId('fashion-mnist');

interface BuiltinManifest {
  id: string;
  name: string;
  height: number;
  width: number;
  channels: number;
  train: number;
  test: number;
  classNames: string[];
}

function builtinDir(): string {
  return join(assetsDir(), 'datasets', 'fashion-mnist');
}

function readManifest(): BuiltinManifest {
  const file = join(builtinDir(), 'dataset.json');
  if (!existsSync(file)) throw new Error(`the built-in dataset is missing (${file}): run "npm run dataset"`);
  return JSON.parse(readFileSync(file, 'utf8')) as BuiltinManifest;
}

export function listDatasets(): DatasetInfo[] {
  const m = readManifest();
  return [
    {
      id: m.id,
      name: m.name,
      height: m.height,
      width: m.width,
      channels: m.channels,
      trainCount: m.train,
      validationCount: m.test,
      classNames: m.classNames,
    },
  ];
}

function readIdx(file: string) {
  const path = join(builtinDir(), file);
  return parseIdx(new Uint8Array(gunzipSync(readFileSync(path))), path);
}

/**
 * Loads a dataset by id. The built-in one uses the Fashion-MNIST test images for validation.
 * `builtin:fashion-mnist?train=N&validation=M` takes the first N and M images, for quick runs
 * (with `classes`, the first N of those classes).
 */
export function loadDataset(id: string): ImageDataset {
  const ref = parseDatasetId(id);
  if (ref.kind !== 'builtin' || builtinDatasetId(ref.name) !== BUILTIN_FASHION_MNIST) {
    throw new Error(`unknown dataset "${excerpt(id)}": the only dataset so far is ${BUILTIN_FASHION_MNIST}`);
  }
  const full = trainOn(loadBuiltin(), ref.classes, id);
  if (ref.train === undefined && ref.validation === undefined) return { ...full, id };
  return { ...subsetDataset(full, ref.train ?? full.train.count, ref.validation ?? full.validation.count), id };
}

/**
 * The dataset with its training split cut to `classes` (the Data option "train on chosen classes
 * only"); the validation split keeps every class, so a held-out class can be scored as an anomaly.
 */
function trainOn(ds: ImageDataset, classes: number[] | undefined, id: string): ImageDataset {
  if (!classes) return ds;
  const total = ds.classNames.length;
  const outside = classes.find((c) => c >= total);
  if (outside !== undefined) throw new Error(`dataset "${excerpt(id)}": class ${outside} is out of range: ${ds.name} has ${total} classes (0 to ${total - 1})`);
  // Every class kept: nothing is held out.
  if (classes.length === total) return ds;
  const train = keepClasses(ds.train, imageSize(ds), classes);
  if (train.count === 0) throw new Error(`dataset "${excerpt(id)}": no training images of class ${classes.join(', ')}`);
  return { ...ds, name: `${ds.name}, ${classesNote(classes.length, total)}`, train, trainedClasses: [...classes] };
}

/** Images per class name, both splits together. */
function countsOf(ds: ImageDataset): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const split of [ds.train, ds.validation]) {
    for (let i = 0; i < split.count; i++) {
      const name = ds.classNames[split.labels[i]!] ?? String(split.labels[i]);
      counts[name] = (counts[name] ?? 0) + 1;
    }
  }
  return counts;
}

/** Throws naming the fault unless the id is the built-in set or a well-formed image folder id. */
export function checkDatasetId(id: string): void {
  let ref;
  try {
    ref = parseDatasetId(id);
  } catch (err) {
    throw new Error((err as Error).message.startsWith('unknown dataset') ? `unknown dataset "${excerpt(id)}"` : (err as Error).message);
  }
  if (ref.kind === 'builtin' && builtinDatasetId(ref.name) !== BUILTIN_FASHION_MNIST) throw new Error(`unknown dataset "${excerpt(id)}"`);
  // A folder's classes are known once it is scanned: its load checks them.
  if (ref.kind === 'builtin' && ref.classes) {
    const m = readManifest();
    const outside = ref.classes.find((c) => c >= m.classNames.length);
    if (outside !== undefined) throw new Error(`dataset "${excerpt(id)}": class ${outside} is out of range: ${m.name} has ${m.classNames.length} classes (0 to ${m.classNames.length - 1})`);
  }
}

export interface LoadedDataset {
  dataset: ImageDataset;
  /** What run.json records about it. */
  record: RunDataset;
  fromCache: boolean;
  /** Image folders: each split's file names (relative to the folder), in image order. */
  files?: SplitFiles | null;
}

export type LoadProgress = Omit<DatasetProgressEvent, 'type' | 'runId'>;

const MAX_LISTED_SKIPS = 1000;

/**
 * Any dataset id: the built-in set, or an image folder (decoded, or read from the cache in the
 * workspace when the folder and its settings are unchanged).
 */
export async function loadAnyDataset(id: string, opts: { signal?: AbortSignal; onProgress?: (p: LoadProgress) => void } = {}): Promise<LoadedDataset> {
  const ref = parseDatasetId(id);
  if (ref.kind === 'builtin') {
    const dataset = loadDataset(id);
    return { dataset, record: { ...shapeOf(dataset), counts: countsOf(dataset), skipped: [], skippedCount: 0 }, fromCache: false };
  }
  const { path, preprocessing } = ref;
  opts.onProgress?.({ phase: 'scanning', done: 0, total: 0, filesPerSec: 0 });
  const scan = await scanFolder(path, opts.signal);
  const decoded = await decodeFolder(scan, preprocessing, {
    cacheDir: join(workspaceDir(), 'cache', 'datasets'),
    id,
    signal: opts.signal,
    onProgress: (p) => opts.onProgress?.({ phase: 'decoding', ...p }),
  });
  const dataset = trainOn(decoded.dataset, ref.classes, id);
  return {
    dataset,
    fromCache: decoded.fromCache,
    files: decoded.files && dataset.trainedClasses ? { ...decoded.files, train: keptFiles(decoded.dataset.train.labels, decoded.files.train, dataset.trainedClasses) } : decoded.files,
    record: {
      ...shapeOf(dataset),
      counts: dataset === decoded.dataset ? decoded.counts : countsOf(dataset),
      path,
      fingerprint: decoded.fingerprint,
      preprocessing,
      skipped: decoded.skipped.slice(0, MAX_LISTED_SKIPS),
      skippedCount: decoded.skipped.length,
      fromCache: decoded.fromCache,
      streamed: decoded.streamed,
    },
  };
}

function shapeOf(ds: ImageDataset) {
  return {
    id: ds.id,
    name: ds.name,
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    classNames: ds.classNames,
    ...(ds.trainedClasses && { trainedClasses: ds.trainedClasses }),
    trainCount: ds.train.count,
    validationCount: ds.validation.count,
  };
}

/** The file names of the training images `classes` keeps, as keepClasses keeps the images. */
function keptFiles(labels: Uint8Array, files: string[], classes: number[]): string[] {
  const wanted = new Set(classes);
  return files.filter((_, i) => wanted.has(labels[i]!));
}

function loadBuiltin(): ImageDataset {
  const m = readManifest();
  const trainImages = readIdx('train-images.idx.gz');
  const trainLabels = readIdx('train-labels.idx.gz');
  const testImages = readIdx('test-images.idx.gz');
  const testLabels = readIdx('test-labels.idx.gz');
  return {
    id: m.id,
    name: m.name,
    height: m.height,
    width: m.width,
    channels: m.channels,
    classNames: m.classNames,
    train: { images: trainImages.data, labels: trainLabels.data, count: trainImages.dims[0]! },
    validation: { images: testImages.data, labels: testLabels.data, count: testImages.dims[0]! },
  };
}
