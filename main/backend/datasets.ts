import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseIdx, subsetDataset, type ImageDataset } from '../../core/data/dataset';
import type { DatasetInfo } from '../../core/api';
import { builtinDatasetId, parseDatasetId } from '../../core/data/datasetId';
import type { DatasetProgressEvent, RunDataset } from '../../core/train/events';
import { decodeFolder, scanFolder, type SplitFiles } from './imageFolder';
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
 * `builtin:fashion-mnist?train=N&validation=M` takes the first N and M images, for quick runs.
 */
export function loadDataset(id: string): ImageDataset {
  const ref = parseDatasetId(id);
  if (ref.kind !== 'builtin' || builtinDatasetId(ref.name) !== BUILTIN_FASHION_MNIST) {
    throw new Error(`unknown dataset "${excerpt(id)}": the only dataset so far is ${BUILTIN_FASHION_MNIST}`);
  }
  const full = loadBuiltin();
  if (ref.train === undefined && ref.validation === undefined) return full;
  return subsetDataset(full, ref.train ?? full.train.count, ref.validation ?? full.validation.count);
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
    const counts: Record<string, number> = {};
    for (const split of [dataset.train, dataset.validation]) {
      for (let i = 0; i < split.count; i++) {
        const name = dataset.classNames[split.labels[i]!] ?? String(split.labels[i]);
        counts[name] = (counts[name] ?? 0) + 1;
      }
    }
    return { dataset, record: { ...shapeOf(dataset), counts, skipped: [], skippedCount: 0 }, fromCache: false };
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
  const { dataset } = decoded;
  return {
    dataset,
    fromCache: decoded.fromCache,
    files: decoded.files,
    record: {
      ...shapeOf(dataset),
      counts: decoded.counts,
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
  return { id: ds.id, name: ds.name, height: ds.height, width: ds.width, channels: ds.channels, classNames: ds.classNames, trainCount: ds.train.count, validationCount: ds.validation.count };
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
