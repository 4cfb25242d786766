/**
 * The memory training the graph on screen needs, against what the backend may use: known before Train
 * is pressed, so a graph the backend would refuse is marked and Train says why.
 */
import type { GraphDoc } from '../../../core/graph/types';
import { estimateTrainingMemory, memoryLimit, memoryRefusal, type MemoryEstimate } from '../../../core/shapes/memory';
import type { AppState } from './store';

export interface TrainMemory {
  estimate: MemoryEstimate;
  /** What a run may use on the backend, once the backend has said how much memory the machine has. */
  limit: number | null;
  /** Why the backend would refuse it (core's words), or null when it fits. */
  refusal: string | null;
}

/** Estimates by document (a document never changes: an edit makes a new one). */
const estimates = new WeakMap<GraphDoc, MemoryEstimate | null>();

export function selectTrainMemory(s: Pick<AppState, 'doc' | 'analysis' | 'info' | 'backend'>): TrainMemory | null {
  let estimate = estimates.get(s.doc);
  if (estimate === undefined) {
    estimate = estimateTrainingMemory(s.doc, s.analysis);
    estimates.set(s.doc, estimate);
  }
  if (!estimate) return null;
  const backend = s.backend?.name ?? null;
  const limit = s.info?.totalMemory ? memoryLimit(backend, s.info.totalMemory) : null;
  return { estimate, limit, refusal: limit === null ? null : memoryRefusal(estimate, limit, backend) };
}
