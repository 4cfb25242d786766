import { useState } from 'react';
import { MAX_NOTE_LENGTH, parseTags } from '../../../core/runs/notes';
import { useApp, useAppStore } from '../store/context';
import { Modal } from './Dialogs';

/** A run's note and tags, written in the Runs view; kept in the run's folder (notes.json). */
export function RunNotesDialog() {
  const runId = useApp((s) => s.notesFor);
  const run = useApp((s) => s.runs.find((r) => r.id === s.notesFor) ?? null);
  // Mounted afresh for each run, so its fields start from that run's note and tags.
  return runId && run ? <RunNotesForm key={runId} runId={runId} name={run.name} note={run.note} tags={run.tags} problem={run.notesProblem} /> : null;
}

function RunNotesForm({ runId, name, note: savedNote, tags: savedTags, problem }: { runId: string; name: string; note: string; tags: string[]; problem: string | null }) {
  const store = useAppStore();
  const [note, setNote] = useState(savedNote);
  const [tagText, setTagText] = useState(savedTags.join(', '));
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const parsed = parseTags(tagText);
  const close = () => store.getState().openNotes(null);
  const save = async () => {
    if ('error' in parsed || saving) return;
    setSaving(true);
    const failure = await store.getState().annotateRun(runId, { note, tags: parsed.tags });
    setSaving(false);
    setError(failure);
  };
  return (
    <Modal title={`Note and tags: ${name}`} onClose={close} testId="run-notes-dialog" wide>
      {problem && <p className="field-error">{problem}: saving replaces it.</p>}
      <label className="field">
        <span className="field__label">Note</span>
        <textarea
          className="field__input run-notes__note"
          data-testid="run-notes-note"
          value={note}
          maxLength={MAX_NOTE_LENGTH}
          rows={6}
          autoFocus
          placeholder="What you tried, what you saw, what to try next…"
          onChange={(e) => setNote(e.target.value)}
          onKeyDown={(e) => {
            // Ctrl/⌘+Enter saves here (and must not also reach the window, where it trains).
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              e.stopPropagation();
              void save();
            }
          }}
        />
      </label>
      <label className="field">
        <span className="field__label">Tags, separated by commas</span>
        <input
          type="text"
          className="field__input"
          data-testid="run-notes-tags"
          value={tagText}
          aria-invalid={'error' in parsed}
          placeholder="baseline, lr sweep"
          onChange={(e) => setTagText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              e.stopPropagation();
              void save();
            }
          }}
        />
        <span className="field__help">Find tagged runs with the filter: a word of the tag, or #tag for that tag alone.</span>
      </label>
      {'error' in parsed && <p className="field-error" data-testid="run-notes-tags-error">{parsed.error}</p>}
      {error && <p className="field-error" data-testid="run-notes-error">{error}</p>}
      <div className="modal__actions">
        <button type="button" className="btn" data-testid="run-notes-cancel" onClick={close}>
          Cancel
        </button>
        <button type="button" className="btn btn--primary" data-testid="run-notes-save" disabled={'error' in parsed || saving} title="Save (Ctrl/⌘+Enter)" onClick={() => void save()}>
          Save
        </button>
      </div>
    </Modal>
  );
}
