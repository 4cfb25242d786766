import { useMemo } from 'react';
import type { LatentMap, LatentMethod } from '../../../core/api';
import { liftPoint } from '../../../core/latent/pca';
import { ImageTile } from '../plots/images';
import { useApi, useApp, useAppStore } from '../store/context';
import { pointLabel } from '../store/exploreSlice';
import { ExploreTabs } from './ExploreTabs';
import { RunPicker } from './RunPicker';
import { LatentMapChart, type MapMark } from './LatentMapChart';
import { percentile, useLiveDecode } from './useLiveDecode';

const METHODS: { id: LatentMethod; label: string; help: string }[] = [
  { id: 'pca', label: 'PCA', help: 'The two directions of widest spread: fast, linear, and it can be decoded anywhere.' },
  { id: 'umap', label: 'UMAP', help: 'Keeps neighbours together: clusters show better; computed in the background, then kept.' },
  { id: 'tsne', label: 't-SNE', help: 'Keeps neighbours together, on a sample of the points; computed in the background, then kept.' },
];

function MethodSwitch() {
  const store = useAppStore();
  const method = useApp((s) => s.explore.method);
  const mapping = useApp((s) => s.explore.mapping);
  const ready = useApp((s) => s.explore.info !== null);
  return (
    <div className="explore__methods">
      <div className="tabs" role="tablist" aria-label="Projection">
        {METHODS.map((m) => (
          <button
            key={m.id}
            type="button"
            role="tab"
            aria-selected={method === m.id}
            className={`tab${method === m.id ? ' tab--on' : ''}`}
            data-testid={`explore-method-${m.id}`}
            title={m.help}
            disabled={!ready}
            onClick={() => void store.getState().setExploreMethod(m.id)}
          >
            {m.label}
          </button>
        ))}
      </div>
      {mapping && (
        <div className="explore__progress" data-testid="explore-progress">
          <span>
            {mapping.phase}
            {mapping.total > 0 && ` ${Math.round((100 * mapping.done) / mapping.total)} %`}
          </span>
          <progress max={1} value={mapping.total > 0 ? mapping.done / mapping.total : undefined} />
          <button type="button" className="btn btn--small" data-testid="explore-cancel" onClick={() => void store.getState().cancelExploreMap()}>
            Cancel
          </button>
        </div>
      )}
    </div>
  );
}

/** Explore: a trained model's latent space, live and clickable, and new images from it. */
export function ExploreView() {
  const store = useAppStore();
  const api = useApi();
  const e = useApp((s) => s.explore);
  const [live, hover] = useLiveDecode(api, e.info ? e.runId : null, e.checkpoint);
  const classNames = e.info?.classNames ?? [];

  const marks = useMemo(() => {
    const out: MapMark[] = [];
    if (e.map && e.selected !== null) out.push({ label: '', at: [e.map.x[e.selected]!, e.map.y[e.selected]!], color: '#ffffff' });
    if (e.a?.at) out.push({ label: 'A', at: e.a.at, color: '#f0b429' });
    if (e.b?.at) out.push({ label: 'B', at: e.b.at, color: '#4fd1c5' });
    return out;
  }, [e.map, e.selected, e.a, e.b]);

  const p50 = percentile(live.latencies, 50);
  const p95 = percentile(live.latencies, 95);
  const info = e.info;
  return (
    <main className="explore" aria-label="Explore">
      <header className="card explore__bar">
        <RunPicker view="explore" />
        <MethodSwitch />
        {info && (
          <span className="muted explore__facts" data-testid="explore-facts" title={`${info.datasetName}, ${info.checkpoint} checkpoint`}>
            epoch {info.epoch} · code {info.codeSize}
            {info.variational ? ' · variational' : ''} · {info.count.toLocaleString('en')} validation images
          </span>
        )}
      </header>
      {e.error && (
        <p className="explore__error" role="alert" data-testid="explore-error">
          {e.error}
        </p>
      )}
      <div className="explore__body">
        <section className="card explore__mapcard">
          <header className="card__header">
            <h2 className="card__title">Latent space</h2>
            <span className="muted small" data-testid="explore-map-note">
              {e.map?.note ??
                (e.map?.raw
                  ? 'The code is 2-D: the map is the code itself.'
                  : e.map?.plane
                    ? 'Off the points, the image decoded at the pointer: the point lifted back through the PCA plane, the other components at the data’s mean.'
                    : e.map
                      ? 'This map has no inverse: decode off the points with PCA.'
                      : '')}
            </span>
          </header>
          {e.map ? (
            <LatentMapChart
              map={e.map}
              classNames={classNames}
              marks={marks}
              onPick={(pos) => void store.getState().selectPoint(pos)}
              onBrush={(positions) => store.getState().setBrushed(positions)}
              onHoverCode={hover}
            />
          ) : (
            <div className="explore__placeholder muted">{e.mapping ? 'Computing the map…' : e.error ? '' : 'Loading the model…'}</div>
          )}
          <p className="muted small explore__hint">Hover a point to see its image · click to pick it · box or lasso (top right) to pick many · move over empty space to decode it.</p>
        </section>
        <aside className="explore__side">
          <section className="card explore__live" data-testid="explore-live" data-latency-p50={p50 ?? ''} data-latency-p95={p95 ?? ''} data-decodes={live.latencies.length}>
            <header className="card__header">
              <h2 className="card__title">At the pointer</h2>
              <span className="muted small">{p50 !== null ? `${Math.round(p50)} ms (p95 ${Math.round(p95!)} ms)` : ''}</span>
            </header>
            <div className="explore__live-body">
              {live.image ? <ImageTile batch={live.image} className="image-tile explore__live-image" testId="explore-live-image" /> : <div className="explore__live-image explore__live-empty muted">Move over the map</div>}
              <div className="small">
                {live.at && (
                  <p>
                    at ({live.at[0].toFixed(2)}, {live.at[1].toFixed(2)})
                  </p>
                )}
                {live.at && e.map && (
                  <div className="explore__end-buttons">
                    <button type="button" className="btn btn--small" data-testid="live-as-a" onClick={() => store.getState().setEnd('a', { label: 'a place on the map', end: { code: liftCode(e.map!, live.at!) }, at: live.at })}>
                      Use as A
                    </button>
                    <button type="button" className="btn btn--small" data-testid="live-as-b" onClick={() => store.getState().setEnd('b', { label: 'a place on the map', end: { code: liftCode(e.map!, live.at!) }, at: live.at })}>
                      Use as B
                    </button>
                  </div>
                )}
                {e.map && e.selected !== null && <p className="muted">Picked: {pointLabel(e.map, classNames, e.selected)}</p>}
              </div>
            </div>
          </section>
          <ExploreTabs />
        </aside>
      </div>
    </main>
  );
}

/** The code at a place of the map (its plane's inverse). */
function liftCode(map: LatentMap, at: [number, number]): number[] {
  return Array.from(liftPoint(map.plane!, at[0], at[1]));
}
