import { useEffect } from 'react';
import { useApp, useAppStore } from '../store/context';

/** The trained run (and its best or last weights) that Explore, Anomalies and the Lab use: one choice for all three. */
export function RunPicker({ view }: { view: 'explore' | 'score' | 'lab' }) {
  const store = useAppStore();
  const runs = useApp((s) => s.runs);
  const runId = useApp((s) => s.explore.runId);
  const checkpoint = useApp((s) => s.explore.checkpoint);
  const runsLoaded = useApp((s) => s.runsLoaded);
  const info = useApp((s) => s.explore.info);
  useEffect(() => {
    if (!runsLoaded) void store.getState().loadRuns();
  }, [runsLoaded, store]);
  const trained = runs.filter((r) => !r.damaged && r.epochsDone > 0);
  return (
    <>
      <label className="explore__field">
        Run{' '}
        <select
          value={runId ?? ''}
          data-testid="explore-run"
          onChange={(e) => void store.getState().openModelView(view, e.target.value)}
        >
          {/* A run the list has not caught up with yet: by its name once its model is read. */}
          {!trained.some((r) => r.id === runId) && runId && <option value={runId}>{info?.runId === runId ? info.runName : runId}</option>}
          {trained.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name} · {r.topology} · {r.epochsDone}/{r.epochs} epochs
            </option>
          ))}
        </select>
      </label>
      <label className="explore__field" title="The weights of the epoch with the lowest validation loss, or of the last finished epoch">
        Weights{' '}
        <select value={checkpoint} data-testid="explore-checkpoint" onChange={(e) => void store.getState().setExploreCheckpoint(e.target.value as 'best' | 'last')}>
          <option value="best">best epoch</option>
          <option value="last">last epoch</option>
        </select>
      </label>
    </>
  );
}
