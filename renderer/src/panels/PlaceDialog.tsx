import { useRef, useState } from 'react';
import type { Place } from '../../../core/api';
import { useApp, useAppStore } from '../store/context';
import { PLACE_TITLES, type ShownPlace } from '../store/workspaceSlice';
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

const PLACE_HINTS: Record<Place, string> = {
  guide: 'The guide (docs/guide.md) describes every feature. Open it in an editor or a Markdown viewer:',
  docs: 'The documentation kept beside the app. Open it in your file manager:',
  workspace: 'Runs (and the trash), saved graphs, exports and settings are kept here. Open it in your file manager:',
};

/**
 * Browser mode's Help places (the guide, the documentation and workspace folders): a browser cannot open
 * a file or folder on the machine, so it shows where it is, to copy.
 */
export function PlaceDialog() {
  const shown = useApp((s) => s.shownPlace);
  return shown ? <PlacePath key={`${shown.place}:${shown.path}`} shown={shown} /> : null;
}

function PlacePath({ shown: { place, path } }: { shown: ShownPlace }) {
  const store = useAppStore();
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  const close = () => store.getState().closePlace();
  return (
    <Modal title={PLACE_TITLES[place]} onClose={close} testId={`${place}-dialog`}>
      <p className="muted">{PLACE_HINTS[place]}</p>
      <div className="modal__row">
        <input ref={field} type="text" className="field__input grow" readOnly value={path} data-testid={`${place}-path`} aria-label={PLACE_TITLES[place]} onFocus={(e) => e.target.select()} />
        <button type="button" className="btn" data-testid={`${place}-copy`} onClick={() => void copyText(path, field.current).then(setCopied)}>
          Copy
        </button>
      </div>
      <p className="small muted" data-testid={`${place}-copied`} role="status">
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
