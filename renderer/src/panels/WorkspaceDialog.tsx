import { useRef, useState } from 'react';
import { useApp, useAppStore } from '../store/context';
import { Modal } from './Dialogs';

/** Copies text: the Clipboard API where the page may use it, else the selected field's copy command. */
async function copyText(text: string, field: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No Clipboard API (a page served to another machine over plain HTTP): copy the selection.
    field?.select();
    return document.execCommand('copy');
  }
}

/** Browser mode's "Open workspace folder": a browser cannot open a folder on the machine, so it shows where it is. */
export function WorkspaceDialog() {
  const path = useApp((s) => s.workspaceFolder);
  return path ? <WorkspacePath key={path} path={path} /> : null;
}

function WorkspacePath({ path }: { path: string }) {
  const store = useAppStore();
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  const close = () => store.getState().closeWorkspaceFolder();
  return (
    <Modal title="Workspace folder" onClose={close} testId="workspace-dialog">
      <p className="muted">Runs (and the trash), saved graphs, exports and settings are kept here. Open it in your file manager:</p>
      <div className="modal__row">
        <input ref={field} type="text" className="field__input grow" readOnly value={path} data-testid="workspace-path" aria-label="Workspace folder" onFocus={(e) => e.target.select()} />
        <button type="button" className="btn" data-testid="workspace-copy" onClick={() => void copyText(path, field.current).then(setCopied)}>
          Copy
        </button>
      </div>
      <p className="small muted" data-testid="workspace-copied" role="status">
        {copied === true ? 'Copied.' : copied === false ? 'This browser would not copy: select the path and press Ctrl/⌘+C.' : '\u00a0'}
      </p>
      <div className="modal__actions">
        <button type="button" className="btn" onClick={close}>
          Close
        </button>
      </div>
    </Modal>
  );
}
