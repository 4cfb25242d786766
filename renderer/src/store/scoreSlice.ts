import type { ScoreResult } from '../../../core/api';
import type { SliceCreator } from './store';

export interface ScoreState {
  /** What to score: the run's own validation images (null), or a dataset id (an image folder, a built-in set). */
  datasetId: string | null;
  result: ScoreResult | null;
  /** Images with an error above it are called anomalous; set from the histogram. */
  threshold: number | null;
  progress: { done: number; total: number } | null;
  error: string | null;
}

export interface ScoreSlice {
  score: ScoreState;
  /** Scores the chosen dataset with the model in use (the Explore/Anomalies/Lab run). */
  runScore(datasetId?: string | null): Promise<void>;
  /** Stops the scoring under way (jobs:cancel); the result shown before stays. */
  cancelScore(): Promise<void>;
  setThreshold(threshold: number | null): void;
  clearScore(): void;
  onScoreProgress(event: { job: string; runId: string; done: number; total: number }): void;
}

export const SCORE_IDLE: ScoreState = { datasetId: null, result: null, threshold: null, progress: null, error: null };

/** The largest error (a loop: spreading 100,000+ values into Math.max overflows the stack). */
export function largest(errors: readonly number[]): number {
  let max = 0;
  for (const e of errors) if (e > max) max = e;
  return max;
}

/** Where the threshold starts: the 95th percentile of the errors (one image in twenty above it). */
export function defaultThreshold(errors: number[]): number {
  if (!errors.length) return 0;
  const sorted = [...errors].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))]!;
}

export const createScoreSlice: SliceCreator<ScoreSlice> = ({ api }) => (set, get) => {
  const patch = (p: Partial<ScoreState>) => set({ score: { ...get().score, ...p } });
  // Each scoring (and each clear) gets a number: only the newest may show its result.
  let request = 0;
  // Job ids are the backend's, shared by every window: this window's tag keeps its own apart.
  const windowTag = Math.random().toString(36).slice(2, 10);
  let scoringJob: string | null = null;
  return {
    score: SCORE_IDLE,
    runScore: async (datasetId = get().score.datasetId) => {
      const { runId, checkpoint } = get().explore;
      if (!runId) return;
      const mine = ++request;
      const jobId = `score-${windowTag}-${mine}`;
      scoringJob = jobId;
      patch({ datasetId, progress: { done: 0, total: 0 }, error: null });
      try {
        const result = await api.invoke('model:score', { runId, checkpoint, ...(datasetId ? { datasetId } : {}), extremes: 24, jobId });
        // The model, its weights or the data may have changed while it was scored.
        if (mine !== request) return;
        patch({ result, threshold: defaultThreshold(result.errors), progress: null });
      } catch (err) {
        if (mine === request) patch({ progress: null, error: (err as Error).message });
      }
    },
    cancelScore: async () => {
      const jobId = scoringJob;
      if (!jobId || !get().score.progress) return;
      // Its answer (the 'cancelled' error, or a result that raced the cancel) is no longer shown.
      request++;
      scoringJob = null;
      patch({ progress: null, error: null });
      await api.invoke('jobs:cancel', { jobId }).catch(() => ({ cancelled: false }));
    },
    setThreshold: (threshold) => patch({ threshold }),
    clearScore: () => {
      request++;
      set({ score: SCORE_IDLE });
    },
    onScoreProgress: (event) => {
      if (event.runId === get().explore.runId && get().score.progress && event.job === 'score') patch({ progress: { done: event.done, total: event.total } });
    },
  };
};
