/**
 * Sweeps and experiments in the window: the Sweep dialog's preview and start (from the graph on
 * screen and the chosen data), the experiment shown in the Experiments view with each run's results,
 * and Compare on the runs picked there.
 */
import type { ExperimentDetail, ExperimentPreview, ExperimentSummary, OneClassResult } from '../../../core/api';
import { isOneClassStudy } from '../../../core/experiments/oneClass';
import type { ReconstructionGrid } from '../../../core/train/events';
import { runResult, type RunResult } from '../../../core/experiments/results';
import { MAX_COMPARED } from './runsSlice';
import type { SliceCreator } from './store';

export interface SweepRow {
  setting: string;
  values: string;
}

/** A sweep as the dialog holds it: its rows, and N random draws with a seed instead of the grid. */
export interface SweepForm {
  rows: SweepRow[];
  random: { count: number; seed: number } | null;
}

export interface ExperimentsSlice {
  sweepOpen: boolean;
  experiments: ExperimentSummary[];
  /** The experiment the Experiments view shows, and each of its runs' results by run id. */
  experimentId: string | null;
  experiment: ExperimentDetail | null;
  experimentResults: Record<string, RunResult>;
  /** Each ended run's reconstructions of the validation images at its last recorded epoch (the same images for every run of one dataset). */
  experimentRecons: Record<string, ReconstructionGrid>;
  /** For a one-class study, its per-class AUC table (the backend scores each finished run once); null for any other experiment. */
  experimentOneClass: OneClassResult | null;
  openSweep(open: boolean): void;
  /** The plan of a sweep of the graph on screen; the refusal's one line when it cannot run. */
  previewSweep(form: SweepForm): Promise<{ preview: ExperimentPreview } | { error: string }>;
  /** Starts the sweep and shows its experiment; the refusal's one line when it cannot start. */
  startSweep(form: SweepForm): Promise<string | null>;
  loadExperiments(): Promise<void>;
  openExperiment(id: string | null): Promise<void>;
  stopExperiment(): Promise<void>;
  /** Compare (in the Runs view) on these runs. */
  compareRuns(runIds: string[]): void;
}


export const createExperimentsSlice: SliceCreator<ExperimentsSlice> = ({ api }) => (set, get) => {
  const request = ({ rows, random }: SweepForm) => {
    const datasetId = get().dataset?.id;
    if (!datasetId) throw new Error('No dataset is available yet.');
    const vary = rows.map((r) => ({ setting: r.setting.trim(), values: r.values.trim() })).filter((r) => r.setting || r.values);
    return { graph: get().doc, datasetId, vary, ...(random && { random }) };
  };
  /** Results are read once a run has ended (its metrics no longer change). */
  const loadResults = async (detail: ExperimentDetail) => {
    const known = get().experimentResults;
    const wanted = detail.runs.filter((r) => r.runId && r.run && !['queued', 'running', 'paused'].includes(r.run.status) && !known[r.runId]);
    const read = await Promise.all(
      wanted.map(async (r) => {
        try {
          const run = await api.invoke('runs:detail', { runId: r.runId! });
          const lastSamples = run.sampleEpochs.at(-1);
          const recon = lastSamples === undefined ? null : await api.invoke('runs:samples', { runId: r.runId!, epoch: lastSamples }).catch(() => null);
          return { runId: r.runId!, result: runResult(run.metrics), recon };
        } catch {
          return null;
        }
      }),
    );
    const found = read.filter((x) => x !== null);
    if (found.length) {
      set((s) => ({
        experimentResults: { ...s.experimentResults, ...Object.fromEntries(found.map((f) => [f.runId, f.result])) },
        experimentRecons: { ...s.experimentRecons, ...Object.fromEntries(found.flatMap((f) => (f.recon ? [[f.runId, f.recon]] : []))) },
      }));
    }
  };
  /** The study, asked for again only when more of its runs have finished than it holds. */
  const loadOneClass = async (detail: ExperimentDetail) => {
    if (!isOneClassStudy(detail.summary.settings, detail.runs)) return;
    const finished = detail.runs.filter((r) => r.run?.status === 'finished').length;
    const held = get().experimentOneClass;
    if (held?.experimentId === detail.summary.id && held.scores.length >= finished) return;
    try {
      const study = await api.invoke('experiments:one-class', { experimentId: detail.summary.id });
      if (get().experimentId === detail.summary.id) set({ experimentOneClass: study });
    } catch (err) {
      get().setNotice({ kind: 'error', text: `Cannot score the one-class study: ${(err as Error).message}` });
    }
  };
  return {
    sweepOpen: false,
    experiments: [],
    experimentId: null,
    experiment: null,
    experimentResults: {},
    experimentRecons: {},
    experimentOneClass: null,
    openSweep: (open) => set({ sweepOpen: open }),
    previewSweep: async (form) => {
      try {
        return { preview: await api.invoke('experiments:preview', request(form)) };
      } catch (err) {
        return { error: (err as Error).message };
      }
    },
    startSweep: async (form) => {
      let summary: ExperimentSummary;
      try {
        summary = await api.invoke('experiments:create', request(form));
      } catch (err) {
        return (err as Error).message;
      }
      set({ sweepOpen: false });
      await get().openExperiment(summary.id);
      get().setView('experiments');
      return null;
    },
    loadExperiments: async () => {
      try {
        const experiments = await api.invoke('experiments:list', {});
        set({ experiments });
        if (!get().experimentId && experiments[0]) await get().openExperiment(experiments[0].id);
        else if (get().experimentId) await get().openExperiment(get().experimentId);
      } catch (err) {
        get().setNotice({ kind: 'error', text: `Cannot list the experiments: ${(err as Error).message}` });
      }
    },
    openExperiment: async (id) => {
      if (id !== get().experimentId) set({ experimentId: id, experiment: null, experimentOneClass: null });
      if (!id) return;
      try {
        const detail = await api.invoke('experiments:detail', { experimentId: id });
        if (get().experimentId !== id) return;
        set((s) => ({ experiment: detail, experiments: s.experiments.some((e) => e.id === id) ? s.experiments.map((e) => (e.id === id ? detail.summary : e)) : [detail.summary, ...s.experiments] }));
        await Promise.all([loadResults(detail), loadOneClass(detail)]);
      } catch (err) {
        get().setNotice({ kind: 'error', text: `Cannot read the experiment: ${(err as Error).message}` });
      }
    },
    stopExperiment: async () => {
      const id = get().experimentId;
      if (!id) return;
      try {
        await api.invoke('experiments:stop', { experimentId: id });
      } catch (err) {
        get().setNotice({ kind: 'error', text: (err as Error).message });
      }
      await get().openExperiment(id);
    },
    compareRuns: (runIds) => {
      set({ compared: runIds.slice(0, MAX_COMPARED) });
      get().setView('runs');
      // Raised in the Runs view, so it outlives the change of view.
      if (runIds.length > MAX_COMPARED) get().setNotice({ kind: 'info', text: `Compare takes up to ${MAX_COMPARED} runs: the first ${MAX_COMPARED} are compared.` });
    },
  };
};
