import { useCallback, useEffect, useState } from 'react';
import type { FolderListing } from '../../../core/api';
import { useApi, useApp, useAppStore } from '../store/context';

/** A folder, drawn by the app (an emoji would be an empty box where no emoji font is installed). */
export function FolderIcon() {
  return (
    <svg className="folder-icon" width="16" height="14" viewBox="0 0 16 14" aria-hidden="true" focusable="false">
      <path d="M1 2.5A1.5 1.5 0 0 1 2.5 1h3.6l1.6 1.8h5.8A1.5 1.5 0 0 1 15 4.3v7.2a1.5 1.5 0 0 1-1.5 1.5h-11A1.5 1.5 0 0 1 1 11.5z" fill="currentColor" />
    </svg>
  );
}

/**
 * Folder browser of browser mode: the backend lists subfolders, one level at a time. It opens at
 * `start` (a typed path), else where it was last left, else the home folder; a remembered folder that
 * is gone falls back to home.
 */
export function FolderBrowser({ start, onChoose, chooseLabel }: { start: string | null; onChoose: (path: string) => void; chooseLabel: string }) {
  const [listing, setListing] = useState<FolderListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const api = useApi();
  const store = useAppStore();
  const lastFolder = useApp((s) => s.lastFolder);
  /** Lists `path`; with `homeIfGone`, a folder that cannot be listed gives the home folder instead. */
  const go = useCallback(
    (path: string | null, homeIfGone = false) => {
      api.invoke('datasets:browse', { path }).then(
        (l) => {
          setListing(l);
          setError(null);
          store.getState().rememberFolder(l.path);
        },
        (err: Error) => {
          if (homeIfGone && path !== null) go(null);
          else setError(err.message);
        },
      );
    },
    [api, store],
  );
  // Where it opens is fixed when it opens; typing does not move it.
  const [opening] = useState({ path: start ?? lastFolder, homeIfGone: start === null });
  useEffect(() => go(opening.path, opening.homeIfGone), [go, opening]);
  return (
    <div className="folder-browser" data-testid="folder-browser">
      <div className="folder-browser__bar">
        <button type="button" className="btn btn--ghost btn--small" data-testid="folder-up" disabled={!listing?.parent} onClick={() => listing?.parent && go(listing.parent)}>
          ↑ Up
        </button>
        {/* Cut at the start when too long (rtl), the path itself kept left to right so its first "/" stays first. */}
        <code className="folder-browser__path" title={listing?.path} data-testid="folder-path">
          <bdi>{listing?.path ?? '…'}</bdi>
        </code>
      </div>
      {error && <p className="field-error">{error}</p>}
      <ul className="folder-browser__list">
        {listing?.folders.map((f) => (
          <li key={f.path}>
            <button type="button" className="folder-browser__entry" data-testid={`folder-entry-${f.name}`} onClick={() => go(f.path)}>
              <FolderIcon /> {f.name}
            </button>
          </li>
        ))}
        {listing && listing.folders.length === 0 && <li className="muted">No subfolders.</li>}
      </ul>
      <div className="modal__row">
        <span className="muted">{listing ? `${listing.imageCount} image${listing.imageCount === 1 ? '' : 's'} directly in this folder` : ''}</span>
        <span className="toolbar__spacer" />
        <button type="button" className="btn" data-testid="folder-choose" disabled={!listing} onClick={() => listing && onChoose(listing.path)}>
          {chooseLabel}
        </button>
      </div>
    </div>
  );
}
