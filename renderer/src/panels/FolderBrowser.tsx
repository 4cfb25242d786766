import { useCallback, useEffect, useState } from 'react';
import type { FolderListing } from '../../../core/api';
import { useApi } from '../store/context';

/** Folder browser of browser mode: the backend lists subfolders, one level at a time. */
export function FolderBrowser({ start, onChoose, chooseLabel = 'Scan this folder' }: { start: string | null; onChoose: (path: string) => void; chooseLabel?: string }) {
  const [listing, setListing] = useState<FolderListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const api = useApi();
  const go = useCallback((path: string | null) => {
    api
      .invoke('datasets:browse', { path })
      .then(
        (l) => {
          setListing(l);
          setError(null);
        },
        (err: Error) => setError(err.message),
      );
  }, [api]);
  // Where it opens is fixed when it opens (the typed path, else the home folder); typing does not move it.
  const [first] = useState(start);
  useEffect(() => go(first), [go, first]);
  return (
    <div className="folder-browser" data-testid="folder-browser">
      <div className="folder-browser__bar">
        <button type="button" className="btn btn--ghost btn--small" data-testid="folder-up" disabled={!listing?.parent} onClick={() => listing?.parent && go(listing.parent)}>
          ↑ Up
        </button>
        <code className="folder-browser__path" title={listing?.path}>
          {listing?.path ?? '…'}
        </code>
      </div>
      {error && <p className="field-error">{error}</p>}
      <ul className="folder-browser__list">
        {listing?.folders.map((f) => (
          <li key={f.path}>
            <button type="button" className="folder-browser__entry" data-testid={`folder-entry-${f.name}`} onClick={() => go(f.path)}>
              📁 {f.name}
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
