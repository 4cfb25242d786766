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
  setThreshold(threshold: number | null): void;
  clearScore(): void;
  onScoreProgress(event: { job: string; runId: string; done: number; total: number }): void;
}

export const SCORE_IDLE: ScoreState = { datasetId: null, result: null, threshold: null, progress: null, error: null };

/** Where the threshold starts: the 95th percentile of the errors (one image in twenty above it). */
export function defaultThreshold(errors: number[]): number {
  if (!errors.length) return 0;
  const sorted = [...errors].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))]!;
}

export const createScoreSlice: SliceCreator<ScoreSlice> = ({ api }) => (set, get) => {
  const patch = (p: Partial<ScoreState>) => set({ score: { ...get().score, ...p } });
  return {
    score: SCORE_IDLE,
    runScore: async (datasetId = get().score.datasetId) => {
      const { runId, checkpoint } = get().explore;
      if (!runId) return;
      patch({ datasetId, progress: { done: 0, total: 0 }, error: null });
      try {
        const result = await api.invoke('model:score', { runId, checkpoint, ...(datasetId ? { datasetId } : {}), extremes: 24 });
        // The model or the data may have changed while it was scored.
        if (get().explore.runId !== runId || get().score.datasetId !== datasetId) return;
        patch({ result, threshold: defaultThreshold(result.errors), progress: null });
      } catch (err) {
        if (get().explore.runId === runId) patch({ progress: null, error: (err as Error).message });
      }
    },
    setThreshold: (threshold) => patch({ threshold }),
    clearScore: () => set({ score: SCORE_IDLE }),
    onScoreProgress: (event) => {
      if (event.runId === get().explore.runId && get().score.progress && event.job === 'score') patch({ progress: { done: event.done, total: event.total } });
    },
  };
};
