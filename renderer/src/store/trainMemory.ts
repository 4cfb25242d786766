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

/** Per document (a document never changes: an edit makes a new one), its estimate and the last answer. */
const cache = new WeakMap<GraphDoc, { estimate: MemoryEstimate | null; key?: string; answer?: TrainMemory | null }>();

/** The same object while nothing it depends on changes, so components re-render only when it does. */
export function selectTrainMemory(s: Pick<AppState, 'doc' | 'analysis' | 'info' | 'backend'>): TrainMemory | null {
  let entry = cache.get(s.doc);
  if (!entry) {
    entry = { estimate: estimateTrainingMemory(s.doc, s.analysis) };
    cache.set(s.doc, entry);
  }
  const backend = s.backend?.name ?? null;
  const key = `${backend}/${s.info?.totalMemory ?? ''}`;
  if (entry.key !== key || entry.answer === undefined) {
    const { estimate } = entry;
    const limit = estimate && s.info?.totalMemory ? memoryLimit(backend, s.info.totalMemory) : null;
    entry.key = key;
    entry.answer = estimate && { estimate, limit, refusal: limit === null ? null : memoryRefusal(estimate, limit, backend) };
  }
  return entry.answer;
}
