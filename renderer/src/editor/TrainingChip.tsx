import { useApp, useAppStore } from '../store/context';
import { selectCanvasVersusRun } from '../store/trainingSlice';

/**
 * While a run trains, which graph that is and which one the canvas holds: the graph training, a copy
 * edited since Train (Train queues it), or the graph just queued (✕ takes it out of the queue).
 */
export function TrainingChip() {
  const store = useAppStore();
  const canvas = useApp(selectCanvasVersusRun);
  const run = useApp((s) => s.training.runName ?? s.training.runId);
  const queued = useApp((s) => s.queued);
  if (!canvas) return null;
  const last = queued.at(-1);
  const waiting = queued.length ? ` ${queued.length === 1 ? `"${queued[0]!.name}" is` : `${queued.length} runs are`} queued after it.` : '';
  const { text, title } =
    canvas === 'training'
      ? { text: 'training', title: `This graph is training as "${run}". Edit it meanwhile: the run keeps the graph it started with, and Train queues the edited one.${waiting}` }
      : canvas === 'queued'
        ? { text: queued.length > 1 ? `queued (${queued.length})` : 'queued next', title: `This graph is queued as "${last!.name}": it trains when "${run}" ends.${waiting}` }
        : { text: 'edited copy', title: `"${run}" trains the graph as it was when Train was pressed; the canvas holds a changed copy. Train queues it as the next run.${waiting}` };
  return (
    <span className={`training-chip training-chip--${canvas}`} data-testid="training-chip" data-canvas={canvas} title={title}>
      <span className="pulse" aria-hidden />
      <span className="training-chip__text">{text}</span>
      {canvas === 'queued' && last && (
        <button type="button" className="training-chip__remove" data-testid="unqueue" aria-label={`Take "${last.name}" out of the queue`} title={`Take "${last.name}" out of the queue`} onClick={() => void store.getState().unqueue(last.runId)}>
          ×
        </button>
      )}
    </span>
  );
}
