import { useState } from 'react';
import { TRAINING_BOUNDS } from '../../../core/graph/trainingBounds';
import { useApp, useAppStore } from '../store/context';
import { numberProblem } from '../editor/Inspector';
import { Modal } from './Dialogs';

/** Asks how many more epochs a finished run trains; it goes on from its last checkpoint, in its folder. */
export function ContinueRunDialog() {
  const run = useApp((s) => s.runs.find((r) => r.id === s.continueFor) ?? null);
  // Mounted afresh for each run, so the field starts from that run's epochs.
  return run ? <ContinueRunForm key={run.id} runId={run.id} name={run.name} epochsDone={run.epochsDone} /> : null;
}

function ContinueRunForm({ runId, name, epochsDone }: { runId: string; name: string; epochsDone: number }) {
  const store = useAppStore();
  const [text, setText] = useState(String(epochsDone));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const most = TRAINING_BOUNDS.epochs.max - epochsDone;
  const problem = numberProblem(text, 1, most, true);
  const more = problem ? null : Number(text);
  const close = () => store.getState().openContinue(null);
  const start = async () => {
    if (more === null || busy) return;
    setBusy(true);
    setError(await store.getState().continueRun(runId, epochsDone + more));
    setBusy(false);
  };
  return (
    <Modal title={`Continue: ${name}`} onClose={close} testId="continue-dialog">
      <label className="field">
        <span className="field__label">More epochs</span>
        <input
          type="text"
          inputMode="numeric"
          className="field__input"
          data-testid="continue-epochs"
          value={text}
          aria-invalid={problem !== null}
          autoFocus
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              e.stopPropagation();
              void start();
            }
          }}
        />
        <span className="field__help" data-testid="continue-total">
          {more === null ? `Enter a whole number from 1 to ${most.toLocaleString('en')}.` : `Trains epochs ${epochsDone + 1} to ${epochsDone + more}: ${epochsDone + more} in all, from its last checkpoint, as one longer run would.`}
        </span>
      </label>
      <p className="field__help">
        Warm-up and step schedules go on as in a run of the new length. A cosine schedule keeps the length it started with: the added epochs train at its floor.
      </p>
      {error && (
        <p className="field-error" data-testid="continue-error">
          {error}
        </p>
      )}
      <div className="modal__actions">
        <button type="button" className="btn" data-testid="continue-cancel" onClick={close}>
          Cancel
        </button>
        <button type="button" className="btn btn--primary" data-testid="continue-start" disabled={more === null || busy} onClick={() => void start()}>
          Continue
        </button>
      </div>
    </Modal>
  );
}
