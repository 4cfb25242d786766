import type { GraphDoc } from '../../core/graph/types';
import type { BottleneckBackend } from './service';

/**
 * Trains `graph` on `datasetId` through the service and resolves with the run's id once it has
 * finished; rejects with the event when it fails or stops. For tests and benches that need a
 * trained model.
 */
export async function trainToEnd(backend: BottleneckBackend, graph: GraphDoc, datasetId: string): Promise<string> {
  let runId: string | null = null;
  const early: { type: string; runId: string }[] = [];
  let settle: ((event: { type: string; runId: string }) => void) | null = null;
  const off = backend.on((e) => {
    if (e.type !== 'train' || !['run-finished', 'run-failed', 'run-stopped'].includes(e.event.type)) return;
    const event = e.event as { type: string; runId: string };
    // The end of a run can arrive before train:start has answered with its id.
    if (runId === null) early.push(event);
    else if (event.runId === runId) settle?.(event);
  });
  try {
    const ended = new Promise<{ type: string; runId: string }>((resolve) => (settle = resolve));
    runId = (await backend.invoke('train:start', { graph, datasetId })).runId;
    const end = early.find((e) => e.runId === runId) ?? (await ended);
    if (end.type !== 'run-finished') throw new Error(`run ${runId} ended as ${end.type}: ${JSON.stringify(end)}`);
    return runId;
  } finally {
    off();
  }
}
