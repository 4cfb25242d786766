import { create, type StateCreator } from 'zustand';
import type { AppInfo, BackendInfo } from '../../../core/api';
import { createDatasetSlice, type DatasetSlice } from './datasetSlice';
import { createGraphSlice, type GraphSlice } from './graphSlice';
import { createRunsSlice, type RunsSlice } from './runsSlice';
import { createTrainingSlice, type TrainingSlice } from './trainingSlice';

export { isTraining, type TrainingStatus } from './trainingSlice';

export interface Notice {
  kind: 'error' | 'info';
  text: string;
  /** One button beside the text, e.g. Undo after a delete. */
  action?: { label: string; run: () => void };
}

export interface ConfirmRequest {
  title: string;
  message: string;
  confirmLabel: string;
  onConfirm: () => void;
}

export type FileDialogMode = 'open' | 'save';

export interface UiSlice {
  info: AppInfo | null;
  backend: BackendInfo | null;
  notice: Notice | null;
  pendingConfirm: ConfirmRequest | null;
  fileDialog: FileDialogMode | null;
  setInfo(info: AppInfo): void;
  setNotice(notice: Notice | null): void;
  confirm(request: ConfirmRequest): void;
  resolveConfirm(accepted: boolean): void;
  openDialog(mode: FileDialogMode | null): void;
}

export type AppState = UiSlice & GraphSlice & TrainingSlice & DatasetSlice & RunsSlice;

const createUiSlice: StateCreator<AppState, [], [], UiSlice> = (set, get) => ({
  info: null,
  backend: null,
  notice: null,
  pendingConfirm: null,
  fileDialog: null,
  setInfo: (info) => {
    set({ info, backend: info.backend ?? get().backend });
    get().restoreDataset(info);
  },
  setNotice: (notice) => set({ notice }),
  confirm: (request) => set({ pendingConfirm: request }),
  resolveConfirm: (accepted) => {
    const request = get().pendingConfirm;
    set({ pendingConfirm: null });
    if (accepted) request?.onConfirm();
  },
  openDialog: (mode) => set({ fileDialog: mode }),
});

/** One store of slices (DESIGN.md): ui, graph (with its undo history), training, dataset and runs. */
export const useApp = create<AppState>()((...a) => ({
  ...createUiSlice(...a),
  ...createGraphSlice(...a),
  ...createTrainingSlice(...a),
  ...createDatasetSlice(...a),
  ...createRunsSlice(...a),
}));

export const selectDirty = (s: AppState) => s.doc !== s.savedDoc;
export const selectSelectedNode = (s: AppState) => (s.selection.nodes.length === 1 ? s.doc.nodes.find((n) => n.id === s.selection.nodes[0]) ?? null : null);
