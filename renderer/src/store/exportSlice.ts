import type { CheckpointChoice, ExportFormat, ExportResult } from '../../../core/api';
import type { SliceCreator } from './store';

export interface ExportState {
  /** The run the Export dialog is open for, or null when it is closed. */
  runId: string | null;
  runName: string;
  busy: boolean;
  result: ExportResult | null;
  error: string | null;
}

export interface ExportSlice {
  exporting: ExportState;
  openExport(run: { id: string; name: string } | null): void;
  /** Writes the run's model in `format` to `path` (a new or empty folder), or to a new folder under the workspace. */
  exportModel(request: { format: ExportFormat; checkpoint: CheckpointChoice; path: string | null }): Promise<void>;
}

const CLOSED: ExportState = { runId: null, runName: '', busy: false, result: null, error: null };

export const createExportSlice: SliceCreator<ExportSlice> = ({ api }) => (set, get) => {
  const patch = (p: Partial<ExportState>) => set({ exporting: { ...get().exporting, ...p } });
  return {
    exporting: CLOSED,
    openExport: (run) => set({ exporting: run ? { ...CLOSED, runId: run.id, runName: run.name } : CLOSED }),
    exportModel: async ({ format, checkpoint, path }) => {
      const { runId } = get().exporting;
      if (!runId) return;
      patch({ busy: true, result: null, error: null });
      try {
        const result = await api.invoke('model:export', { runId, format, checkpoint, ...(path ? { path } : {}) });
        if (get().exporting.runId === runId) patch({ busy: false, result });
      } catch (err) {
        if (get().exporting.runId === runId) patch({ busy: false, error: (err as Error).message });
      }
    },
  };
};
