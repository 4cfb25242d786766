import { useMemo, useState } from 'react';
import type { LatentMap, LatentMethod } from '../../../core/api';
import { liftPoint } from '../../../core/latent/pca';
import { ImageTile } from '../plots/images';
import { useApi, useApp, useAppStore } from '../store/context';
import { mapMarks, pointLabel, positionOf } from '../store/exploreSlice';
import { ExploreTabs } from './ExploreTabs';
import { RunPicker } from './RunPicker';
import { LatentMapChart, type MapHover, type MapTool } from './LatentMapChart';
import { percentile, useLiveDecode, type LiveTarget } from './useLiveDecode';

const METHODS: { id: LatentMethod; label: string; help: string }[] = [
  { id: 'pca', label: 'PCA', help: 'The two directions of widest spread: fast, linear, and it can be decoded anywhere.' },
  { id: 'umap', label: 'UMAP', help: 'Keeps neighbours together: clusters show better; computed in the background, then kept.' },
  { id: 'tsne', label: 't-SNE', help: 'Keeps neighbours together, on a sample of the points; computed in the background, then kept.' },
];

const TOOLS: { id: MapTool; label: string; help: string }[] = [
  { id: 'pick', label: 'Pick', help: 'Click a point to pick its image' },
  { id: 'box', label: 'Box', help: 'Drag a box to select the images in it' },
  { id: 'lasso', label: 'Lasso', help: 'Draw around the images to select' },
];

function MethodSwitch() {
  const store = useAppStore();
  const method = useApp((s) => s.explore.method);
  const ready = useApp((s) => s.explore.info !== null);
  return (
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
  );
}

/** A UMAP or t-SNE map under way, over the map card (so nothing around it moves while it runs). */
function MappingProgress() {
  const store = useAppStore();
  const mapping = useApp((s) => s.explore.mapping);
  if (!mapping) return null;
  return (
    <div className="explore__progress explore__progress--over" data-testid="explore-progress">
      <span>
        {mapping.method === 'tsne' ? 't-SNE' : mapping.method.toUpperCase()}: {mapping.phase}
        {mapping.total > 0 && ` ${Math.round((100 * mapping.done) / mapping.total)} %`}
      </span>
      <progress max={1} value={mapping.total > 0 ? mapping.done / mapping.total : undefined} />
      <button type="button" className="btn btn--small" data-testid="explore-cancel" onClick={() => void store.getState().cancelExploreMap()}>
        Cancel
      </button>
    </div>
  );
}

/** What the pointer shows: a point's own code (its reconstruction), or the code lifted from a place of a map with an inverse. */
function liveTarget(map: LatentMap, hover: MapHover): LiveTarget | null {
  if (hover.kind === 'place') return { code: hover.code, at: hover.at, index: null };
  const p = positionOf(map, hover.index);
  if (p < 0) return null;
  return { code: map.codes.slice(p * map.codeSize, (p + 1) * map.codeSize), at: [map.x[p]!, map.y[p]!], index: hover.index };
}

/** Explore: a trained model's latent space, live and clickable, and new images from it. */
export function ExploreView() {
  const store = useAppStore();
  const api = useApi();
  const e = useApp((s) => s.explore);
  const [live, decode] = useLiveDecode(api, e.info ? e.runId : null, e.checkpoint);
  const [tool, setTool] = useState<MapTool>('pick');
  const classNames = e.info?.classNames ?? [];
  const marks = useMemo(() => mapMarks(e), [e.map, e.selected, e.a, e.b]); // eslint-disable-line react-hooks/exhaustive-deps

  const p50 = percentile(live.latencies, 50);
  const p95 = percentile(live.latencies, 95);
  const info = e.info;
  const map = e.map;
  // The point shown at the pointer, where this map has it.
  const livePosition = map && live.index !== null ? positionOf(map, live.index) : -1;
  const methodName = map?.method === 'tsne' ? 't-SNE' : 'UMAP';
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
          <header className="card__header explore__mapheader">
            <h2 className="card__title">Latent space</h2>
            <div className="tabs explore__tools" role="radiogroup" aria-label="Pointer tool">
              {TOOLS.map((t) => (
                <button key={t.id} type="button" role="radio" aria-checked={tool === t.id} className={`tab${tool === t.id ? ' tab--on' : ''}`} data-testid={`explore-tool-${t.id}`} title={t.help} disabled={!map} onClick={() => setTool(t.id)}>
                  {t.label}
                </button>
              ))}
            </div>
            <button type="button" className="btn btn--ghost btn--small" data-testid="explore-clear-selection" disabled={e.brushed.length === 0} onClick={() => store.getState().setBrushed([])}>
              Clear selection
            </button>
          </header>
          <p className="muted small explore__note-line" data-testid="explore-map-note">
            {map?.note ??
              (map?.raw
                ? 'The code is 2-D: the map is the code itself.'
                : map?.plane
                  ? 'Off the points, the image decoded at the pointer: the point lifted back through the PCA plane, the other components at the data’s mean.'
                  : map
                    ? `${methodName} has no inverse: only the points have images here (PCA decodes empty space too).`
                    : '')}
          </p>
          <div className="explore__mapbox">
            {map ? (
              <LatentMapChart
                key={mapKey(map)}
                map={map}
                classNames={classNames}
                marks={marks}
                selection={e.brushed}
                tool={tool}
                onPick={(index) => void store.getState().selectImage(index)}
                onBrush={(indices) => store.getState().setBrushed(indices)}
                onBrushEnd={() => setTool('pick')}
                onHover={(hover) => {
                  const target = liveTarget(map, hover);
                  if (target) decode(target);
                }}
              />
            ) : (
              <div className="explore__placeholder muted">{e.mapping ? 'Computing the map…' : e.error ? '' : 'Loading the model…'}</div>
            )}
            <MappingProgress />
          </div>
          <p className="muted small explore__hint" data-testid="explore-hint">
            Hover a point to see it and its reconstruction · click to pick it · Box or Lasso to select many
            {map?.plane ? ' · move over empty space to decode it' : ''}.
          </p>
        </section>
        <aside className="explore__side">
          <section className="card explore__live" data-testid="explore-live" data-index={live.index ?? ''} data-latency-p50={p50 ?? ''} data-latency-p95={p95 ?? ''} data-decodes={live.latencies.length}>
            <header className="card__header">
              <h2 className="card__title">At the pointer</h2>
              <span className="muted small">{p50 !== null ? `${Math.round(p50)} ms (p95 ${Math.round(p95!)} ms)` : ''}</span>
            </header>
            <div className="explore__live-body">
              {map && livePosition >= 0 && <ImageTile batch={map.images} index={livePosition} className="image-tile explore__live-image" testId="explore-live-original" />}
              {live.image ? <ImageTile batch={live.image} className="image-tile explore__live-image" testId="explore-live-image" /> : <div className="explore__live-image explore__live-empty muted">{map?.plane ? 'Move over the map' : 'Hover a point'}</div>}
              <div className="small explore__live-text">
                {map && livePosition >= 0 ? (
                  <p data-testid="explore-live-label">
                    <b>{pointLabel(map, classNames, livePosition)}</b>
                    <br />
                    <span className="muted">original · reconstruction, error {map.errors[livePosition]!.toFixed(4)}</span>
                  </p>
                ) : (
                  live.at && <p>decoded at ({live.at[0].toFixed(2)}, {live.at[1].toFixed(2)})</p>
                )}
                {live.at && map && (
                  <div className="explore__end-buttons">
                    {(['a', 'b'] as const).map((which) => (
                      <button
                        key={which}
                        type="button"
                        className="btn btn--small"
                        data-testid={`live-as-${which}`}
                        onClick={() => {
                          const end =
                            livePosition >= 0
                              ? { label: pointLabel(map, classNames, livePosition), end: { index: live.index! } }
                              : { label: 'a place on the map', end: { code: liftedCode(map, live.at!) } };
                          store.getState().setEnd(which, end);
                        }}
                      >
                        Use as {which.toUpperCase()}
                      </button>
                    ))}
                  </div>
                )}
              </div>
            </div>
          </section>
          <ExploreTabs />
        </aside>
      </div>
    </main>
  );
}

/** The code at a place of a map with an inverse (its PCA plane, or the 2-D code itself). */
function liftedCode(map: LatentMap, at: [number, number]): number[] {
  return Array.from(liftPoint(map.plane!, at[0], at[1]));
}

/** One chart per map: a new map (another projection, run or checkpoint) starts without the old one's box or lasso. */
const mapKeys = new WeakMap<LatentMap, number>();
let nextMapKey = 0;
function mapKey(map: LatentMap): number {
  let key = mapKeys.get(map);
  if (key === undefined) mapKeys.set(map, (key = nextMapKey++));
  return key;
}
