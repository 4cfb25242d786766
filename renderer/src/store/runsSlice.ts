import type { RunDetail, RunSummary, RunUpdate } from '../../../core/api';
import type { RunNotes } from '../../../core/runs/notes';
import type { SliceCreator } from './store';

export type View = 'editor' | 'runs' | 'explore' | 'score' | 'lab' | 'experiments';
export const MAX_COMPARED = 6;

export interface RunsSlice {
  view: View;
  runs: RunSummary[];
  runsLoaded: boolean;
  /** Runs ticked for comparison, in the order they were ticked (their colours follow it). */
  compared: string[];
  /** Details (graph, settings, every metric) of runs being compared, read on demand. */
  details: Record<string, RunDetail>;
  setView(view: View): void;
  loadRuns(): Promise<void>;
  toggleCompared(runId: string): void;
  clearCompared(): void;
  loadDetail(runId: string, force?: boolean): Promise<RunDetail | null>;
  renameRun(runId: string, name: string): Promise<void>;
  starRun(runId: string, starred: boolean): Promise<void>;
  deleteRuns(runIds: string[]): Promise<void>;
  /** Continues a run from its last checkpoint; `epochs`, a new total, trains a finished run on. Resolves with why it could not, or null. */
  continueRun(runId: string, epochs?: number): Promise<string | null>;
  /** The finished run the Continue dialog asks more epochs for, or null. */
  continueFor: string | null;
  openContinue(runId: string | null): void;
  openRunGraph(runId: string): Promise<void>;
  /** The run whose note and tags are being edited (the Note and tags dialog), or null. */
  notesFor: string | null;
  openNotes(runId: string | null): void;
  /** Saves a run's note and tags; resolves with why they could not be saved, or null. */
  annotateRun(runId: string, notes: RunNotes): Promise<string | null>;
}

export const createRunsSlice: SliceCreator<RunsSlice> = ({ api }) => (set, get) => {
  const fail = (what: string) => (err: unknown) => get().setNotice({ kind: 'error', text: `${what}: ${(err as Error).message}` });
  /** A run's new summary, in the list and in the comparison (its name, star, note and tags show at once). */
  const replaceSummary = (summary: RunSummary) =>
    set((s) => {
      const detail = s.details[summary.id];
      return { runs: s.runs.map((r) => (r.id === summary.id ? summary : r)), ...(detail && { details: { ...s.details, [summary.id]: { ...detail, summary } } }) };
    });
  const updateRun = async (update: RunUpdate, verb: string) => {
    try {
      replaceSummary(await api.invoke('runs:update', update));
    } catch (err) {
      fail(`Could not ${verb} the run`)(err);
    }
  };
  return {
    view: 'editor',
    runs: [],
    runsLoaded: false,
    compared: [],
    details: {},
    notesFor: null,
    setView: (view) => {
      set({ view });
      if (view === 'runs') {
        void get().loadRuns();
        void get().loadTrash();
      }
      if (view === 'experiments') void get().loadExperiments();
    },
    loadRuns: async () => {
      try {
        const runs = await api.invoke('runs:list', {});
        const known = new Set(runs.map((r) => r.id));
        set((s) => ({ runs, runsLoaded: true, compared: s.compared.filter((id) => known.has(id)) }));
        // Curves of compared runs that are still training grow: read them again.
        for (const id of get().compared) {
          const run = runs.find((r) => r.id === id);
          const cached = get().details[id];
          if (run && (!cached || cached.summary.epochsDone !== run.epochsDone || cached.summary.status !== run.status)) void get().loadDetail(id, true);
        }
      } catch (err) {
        fail('Could not list the runs')(err);
      }
    },
    toggleCompared: (runId) => {
      const { compared } = get();
      if (compared.includes(runId)) {
        set({ compared: compared.filter((id) => id !== runId) });
        return;
      }
      if (compared.length >= MAX_COMPARED) {
        get().setNotice({ kind: 'info', text: `Compare up to ${MAX_COMPARED} runs at a time: untick one first.` });
        return;
      }
      set({ compared: [...compared, runId] });
      void get().loadDetail(runId);
    },
    clearCompared: () => set({ compared: [] }),
    loadDetail: async (runId, force = false) => {
      const cached = get().details[runId];
      if (cached && !force) return cached;
      try {
        const detail = await api.invoke('runs:detail', { runId });
        set((s) => ({ details: { ...s.details, [runId]: detail } }));
        return detail;
      } catch (err) {
        fail(`Could not read run ${runId}`)(err);
        return null;
      }
    },
    renameRun: (runId, name) => updateRun({ runId, name }, 'rename'),
    starRun: (runId, starred) => updateRun({ runId, starred }, 'star'),
    deleteRuns: async (runIds) => {
      try {
        const { deleted } = await api.invoke('runs:delete', { runIds });
        set((s) => ({ runs: s.runs.filter((r) => !deleted.includes(r.id)), compared: s.compared.filter((id) => !deleted.includes(id)) }));
        void get().loadTrash();
        get().setNotice({
          kind: 'info',
          text: `Moved ${deleted.length} run${deleted.length === 1 ? '' : 's'} to the trash.`,
          action: {
            label: 'Undo',
            run: () =>
              void api
                .invoke('runs:restore', { runIds: deleted })
                .then(() => {
                  get().setNotice(null);
                  void get().loadTrash();
                  return get().loadRuns();
                }, fail('Could not restore')),
          },
        });
      } catch (err) {
        fail('Could not delete')(err);
      }
    },
    continueRun: async (runId, epochs) => {
      try {
        const result = await api.invoke('runs:continue', { runId, ...(epochs !== undefined && { epochs }) });
        const { queuePosition } = result;
        // The dashboard follows the run the user continued (when it is not busy with another).
        get().followRun(result);
        const to = epochs !== undefined ? ` to ${epochs} epochs` : '';
        get().setNotice({ kind: 'info', text: queuePosition > 0 ? `Run queued behind ${queuePosition} other${queuePosition === 1 ? '' : 's'}.` : `Continuing "${result.name}" from its last finished epoch${to}.` });
        set({ continueFor: null });
        void get().loadRuns();
        return null;
      } catch (err) {
        // From the dialog the reason shows in it; the menu's plain Continue has no dialog.
        if (epochs === undefined) fail('Could not continue the run')(err);
        return (err as Error).message;
      }
    },
    continueFor: null,
    openContinue: (runId) => set({ continueFor: runId }),
    openNotes: (runId) => set({ notesFor: runId }),
    annotateRun: async (runId, { note, tags }) => {
      try {
        replaceSummary(await api.invoke('runs:annotate', { runId, note, tags }));
        if (get().notesFor === runId) set({ notesFor: null });
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    },
    openRunGraph: async (runId) => {
      const detail = await get().loadDetail(runId);
      if (!detail) return;
      get().openGraphDoc(detail.graph, `the graph of run "${detail.summary.name}"`, () => {
        set({ view: 'editor' });
        // The dashboard shows that run, as it ended.
        void get().showRun(runId);
      });
    },
  };
};
