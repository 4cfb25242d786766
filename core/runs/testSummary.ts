/** A run's list entry for tests, with plausible values for every field a test does not set. */
import type { RunSummary } from '../api';

export function runSummary(patch: Partial<RunSummary> & { id: string }): RunSummary {
  return {
    name: patch.id,
    status: 'finished',
    startedAt: '2026-11-30T10:00:00.000Z',
    endedAt: '2026-11-30T10:01:00.000Z',
    durationMs: 60_000,
    datasetId: 'builtin:fashion-mnist',
    datasetName: 'Fashion-MNIST',
    backend: 'cpu',
    epochsDone: 2,
    epochs: 2,
    topology: 'undercomplete',
    codeSize: 32,
    totalParams: 209_968,
    loss: 0.3,
    val_loss: 0.31,
    best_val_loss: 0.31,
    starred: false,
    error: null,
    damaged: null,
    note: '',
    tags: [],
    notesProblem: null,
    ...patch,
  };
}
