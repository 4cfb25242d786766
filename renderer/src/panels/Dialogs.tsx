import { useEffect, useRef, useState } from 'react';
import type { GraphFileInfo } from '../../../core/api';
import { useApi, useApp, useAppStore } from '../store/context';
import type { FileDialogMode } from '../store/store';

/** A modal that traps nothing fancy: Escape cancels, the first button gets focus. */
export function Modal({ title, children, onClose, testId, wide = false }: { title: string; children: React.ReactNode; onClose: () => void; testId: string; wide?: boolean }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`modal${wide ? ' modal--wide' : ''}`} role="dialog" aria-modal="true" aria-label={title} data-testid={testId}>
        <h2 className="modal__title">{title}</h2>
        {children}
      </div>
    </div>
  );
}

export function ConfirmDialog() {
  const request = useApp((s) => s.pendingConfirm);
  const resolve = useAppStore().getState().resolveConfirm;
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => confirmButton.current?.focus(), [request]);
  if (!request) return null;
  return (
    <Modal title={request.title} onClose={() => resolve(false)} testId="confirm-dialog">
      <p>{request.message}</p>
      <div className="modal__actions">
        <button type="button" className="btn" data-testid="confirm-cancel" onClick={() => resolve(false)}>
          Cancel
        </button>
        <button ref={confirmButton} type="button" className="btn btn--danger" data-testid="confirm-ok" onClick={() => resolve(true)}>
          {request.confirmLabel}
        </button>
      </div>
    </Modal>
  );
}

/** Browser mode's Open and Save As: the graphs folder of the workspace, through the backend. */
export function FileDialog() {
  const mode = useApp((s) => s.fileDialog);
  // Mounted afresh each time it opens, so its name field starts with the graph's name in its very
  // first frame: filling it in an effect afterwards could overwrite what the user had typed already.
  return mode ? <FileDialogBody key={mode} mode={mode} /> : null;
}

function FileDialogBody({ mode }: { mode: FileDialogMode }) {
  const info = useApp((s) => s.info);
  const store = useAppStore();
  const api = useApi();
  const { openDialog, openPath, saveAs, openGraphText } = store.getState();
  const [files, setFiles] = useState<GraphFileInfo[] | null>(null);
  const [name, setName] = useState(() => store.getState().doc.name.replace(/[^\w .()-]+/g, '-'));
  const [error, setError] = useState<string | null>(null);
  const importInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let current = true;
    api
      .invoke('graphs:list', {})
      .then(
        (list) => current && setFiles(list),
        (err: Error) => current && setError(err.message),
      );
    return () => {
      current = false;
    };
  }, [api]);

  const close = () => openDialog(null);
  const errorLine = error && (
    <p className="inspector__error" role="alert" data-testid="file-dialog-error">
      {error}
    </p>
  );
  const folder = info ? `${info.workspace}/graphs` : 'the workspace';
  return (
    <Modal title={mode === 'open' ? 'Open graph' : 'Save graph as'} onClose={close} testId="file-dialog">
      <p className="muted small">Graphs are kept in {folder}.</p>
      <ul className="file-list" data-testid="file-list">
        {files?.length === 0 && <li className="muted">No saved graphs yet.</li>}
        {files?.map((f) => (
          <li key={f.path}>
            <button
              type="button"
              className="file-list__item"
              data-testid={`file-${f.name}`}
              onClick={async () => {
                if (mode === 'open') {
                  if (await openPath(f.path)) close();
                } else setName(f.name);
              }}
            >
              <span>{f.name}</span>
              <span className="muted">{new Date(f.modifiedAt).toLocaleString()}</span>
            </button>
          </li>
        ))}
      </ul>
      {mode === 'save' ? (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            setError(null);
            // The dialog stays open until the file is written: a refused name says why here, and a
            // file that exists is replaced only once the user agrees (Cancel comes back here).
            const outcome = await saveAs(name.trim(), close);
            if (outcome === 'saved') close();
            else if (typeof outcome === 'object') setError(outcome.error);
          }}
        >
          <div className="modal__row">
            <input
              className="field__input"
              data-testid="save-name"
              value={name}
              autoFocus
              aria-invalid={error !== null}
              onChange={(e) => {
                setName(e.target.value);
                setError(null);
              }}
              aria-label="File name"
            />
            <span className="muted">.bottleneck.json</span>
          </div>
          {errorLine}
          <div className="modal__actions">
            <button type="button" className="btn" data-testid="save-cancel" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="btn btn--primary" data-testid="save-confirm" disabled={!name.trim()}>
              Save
            </button>
          </div>
        </form>
      ) : (
        <>
        {errorLine}
        <div className="modal__actions">
          <button type="button" className="btn" onClick={() => importInput.current?.click()}>
            Import from disk…
          </button>
          <input
            ref={importInput}
            type="file"
            accept=".json,application/json"
            hidden
            data-testid="graph-file-input"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file && openGraphText(file.name, await file.text())) close();
            }}
          />
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
        </div>
        </>
      )}
    </Modal>
  );
}
