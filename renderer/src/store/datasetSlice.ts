import type { AppInfo } from '../../../core/api';
import type { DatasetIdentity } from '../../../core/data/dataset';
import { builtinDatasetId, parseDatasetId, withClasses } from '../../../core/data/datasetId';
import * as edits from '../../../core/graph/edits';
import { hasErrors } from '../../../core/shapes/infer';
import { inputImage, resizeTemplate } from '../../../core/templates';
import type { SliceCreator } from './store';

/** The dataset the next run trains on: the built-in one, or an image folder with its settings. */
export interface ChosenDataset extends DatasetIdentity {
  /** Images per class when known (an image folder's scan). */
  counts: Record<string, number> | null;
  /** The folder, for image folders. */
  path: string | null;
}

export interface DatasetSlice {
  dataset: ChosenDataset | null;
  /** Open with an optional folder to scan at once (a folder dropped on the window). */
  datasetDialog: { path: string | null } | null;
  openDatasetDialog(request: { path: string | null } | null): void;
  /** Trains on this dataset from now on; every Input block takes its image shape. */
  chooseDataset(dataset: ChosenDataset): void;
  /** The remembered choice, or the first built-in dataset, once the backend has said what it has. */
  restoreDataset(info: AppInfo): void;
  /** The folder the folder browser showed last (kept across reloads): where it opens next. */
  lastFolder: string | null;
  rememberFolder(path: string): void;
}

const STORAGE_KEY = 'bottleneck.dataset';
const LAST_FOLDER_KEY = 'bottleneck.lastFolder';

function stored(storage: { getItem(key: string): string | null }, key: string): string | null {
  try {
    return storage.getItem(key);
  } catch {
    return null;
  }
}

/** A dataset id without its choice of classes, nor of a built-in set's first images (unreadable ids stay as they are and match nothing). */
function baseId(id: string): string {
  try {
    const ref = parseDatasetId(id);
    return ref.kind === 'builtin' ? builtinDatasetId(ref.name) : withClasses(id, null);
  } catch {
    return id;
  }
}

export function builtinDataset(info: AppInfo): ChosenDataset | null {
  const ds = info.datasets[0];
  return ds ? { id: ds.id, name: ds.name, height: ds.height, width: ds.width, channels: ds.channels, classNames: ds.classNames, counts: null, path: null } : null;
}

/* The Data dialog's choices as dataset ids and names: pure, so the store's tests check them. */

/** The name a dataset goes by when only some of its classes train. */
export function keptName(name: string, kept: number[] | null, classCount: number): string {
  return kept === null ? name : `${name} · ${kept.length} of ${classCount} classes`;
}

/** The classes a chosen dataset's id keeps, or null for all. */
export function keptOf(id: string | undefined): number[] | null {
  try {
    return id ? (parseDatasetId(id).classes ?? null) : null;
  } catch {
    return null;
  }
}

/** The built-in set's subset a dataset id asks for (its first N training and M validation images), or all of it. */
export function subsetOf(id: string | undefined, full: { train: number; validation: number }): { train: number; validation: number } {
  try {
    const ref = id ? parseDatasetId(id) : null;
    if (ref?.kind === 'builtin') return { train: ref.train ?? full.train, validation: ref.validation ?? full.validation };
  } catch {
    // An unreadable id: the whole set.
  }
  return full;
}

/** The built-in set as chosen: some classes, and its first images only when fewer than all are asked for. */
export function builtinChoice(base: ChosenDataset, full: { train: number; validation: number }, kept: number[] | null, subset: { train: number; validation: number }): ChosenDataset {
  const cut = { ...(subset.train < full.train && { train: subset.train }), ...(subset.validation < full.validation && { validation: subset.validation }) };
  const { name: baseName } = parseDatasetId(base.id) as { name: string };
  const name = cut.train !== undefined || cut.validation !== undefined ? `${base.name} · first ${subset.train.toLocaleString('en')} + ${subset.validation.toLocaleString('en')}` : base.name;
  return { ...base, id: builtinDatasetId(baseName, cut, kept ?? undefined), name: keptName(name, kept, base.classNames.length) };
}

export const createDatasetSlice: SliceCreator<DatasetSlice> = ({ storage }) => (set, get) => ({
  dataset: null,
  datasetDialog: null,
  lastFolder: stored(storage, LAST_FOLDER_KEY),
  rememberFolder: (path) => {
    if (get().lastFolder === path) return;
    set({ lastFolder: path });
    try {
      storage.setItem(LAST_FOLDER_KEY, path);
    } catch {
      // Storage full or off: remembered for this session only.
    }
  },
  openDatasetDialog: (request) => set({ datasetDialog: request }),
  chooseDataset: (dataset) => {
    set({ dataset, datasetDialog: null });
    try {
      storage.setItem(STORAGE_KEY, JSON.stringify(dataset));
    } catch {
      // Storage can be full or off; the choice still holds for this session.
    }
    const image = { height: dataset.height, width: dataset.width, channels: dataset.channels };
    const before = get().doc;
    const from = inputImage(before);
    // Images of the shape the graph already takes change nothing in it (and leave it saved).
    if (from && from.height === image.height && from.width === image.width && from.channels === image.channels) {
      get().setNotice({ kind: 'info', text: `Dataset: ${dataset.name}; the graph already takes its ${image.height}×${image.width}×${image.channels} images.`, view: 'editor' });
      return;
    }
    // An untouched template is rebuilt for the new images; any other graph gets its Input block reshaped.
    const resized = from ? resizeTemplate(before, from, image) : null;
    let doc = resized ?? before;
    if (!resized) {
      for (const node of doc.nodes.filter((n) => n.kind === 'Input')) {
        doc = edits.setParam(doc, node.id, 'height', image.height);
        doc = edits.setParam(doc, node.id, 'width', image.width);
        doc = edits.setParam(doc, node.id, 'channels', image.channels);
      }
    }
    get().commit(doc);
    const shape = `${image.height}×${image.width}×${image.channels}`;
    const broken = hasErrors(get().analysis);
    const what = resized ? `the ${before.name} graph is resized for ${shape} images` : `the Input block is now ${shape}`;
    get().setNotice({
      kind: broken ? 'error' : 'info',
      text: `Dataset: ${dataset.name}; ${what}.${broken ? ' The rest of the graph no longer fits it: load a template (Templates ▾) to size one for these images, or fix the blocks in red.' : ''}`,
      view: 'editor',
      untilGraphValid: broken,
    });
  },
  restoreDataset: (info) => {
    if (get().dataset) return;
    let saved: ChosenDataset | null = null;
    try {
      saved = JSON.parse(storage.getItem(STORAGE_KEY) ?? 'null') as ChosenDataset | null;
    } catch {
      saved = null;
    }
    // A remembered built-in dataset must still exist; a folder is checked when it is loaded.
    const usable = saved && typeof saved.id === 'string' && (saved.path !== null || info.datasets.some((d) => d.id === baseId(saved.id)));
    const dataset = usable ? saved : builtinDataset(info);
    set({ dataset });
    // A first start with a folder chosen before: the starting template takes its images.
    if (dataset) get().fitStartingTemplate({ height: dataset.height, width: dataset.width, channels: dataset.channels });
  },
});
