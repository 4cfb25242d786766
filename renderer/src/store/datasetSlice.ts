import type { AppInfo } from '../../../core/api';
import type { DatasetIdentity } from '../../../core/data/dataset';
import { withClasses } from '../../../core/data/datasetId';
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
}

const STORAGE_KEY = 'bottleneck.dataset';

/** A dataset id without its choice of classes (unreadable ids stay as they are and match nothing). */
function baseId(id: string): string {
  try {
    return withClasses(id, null);
  } catch {
    return id;
  }
}

export function builtinDataset(info: AppInfo): ChosenDataset | null {
  const ds = info.datasets[0];
  return ds ? { id: ds.id, name: ds.name, height: ds.height, width: ds.width, channels: ds.channels, classNames: ds.classNames, counts: null, path: null } : null;
}

export const createDatasetSlice: SliceCreator<DatasetSlice> = ({ storage }) => (set, get) => ({
  dataset: null,
  datasetDialog: null,
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
