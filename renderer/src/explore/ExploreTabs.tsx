import { useMemo } from 'react';
import type { ImageBatch } from '../../../core/api';
import { exportFileName } from '../../../core/fileNames';
import { mapPointsCsv } from '../../../core/latent/mapCsv';
import { batchPng, download, ImageGrid, ImageTile } from '../plots/images';
import { useApp, useAppStore } from '../store/context';
import { pointLabel, positionOf, samplesStale, type ExploreTab } from '../store/exploreSlice';

const TABS: { id: ExploreTab; label: string }[] = [
  { id: 'point', label: 'Image' },
  { id: 'interpolate', label: 'Interpolate' },
  { id: 'sample', label: 'Sample' },
  { id: 'traverse', label: 'Traverse' },
  { id: 'selection', label: 'Selection' },
];

/** A short fingerprint of a batch's pixels, so a test (or a user) can tell two grids are the same. */
function fingerprint(batch: ImageBatch): string {
  let h = 2166136261;
  for (let i = 0; i < batch.pixels.length; i++) h = Math.imul(h ^ batch.pixels.charCodeAt(i), 16777619);
  return (h >>> 0).toString(16);
}

/** A subset of a batch's images as a batch of their own (the map carries every point's image). */
function pick(batch: ImageBatch, indices: number[]): ImageBatch {
  const size = batch.height * batch.width * batch.channels;
  const text = atob(batch.pixels);
  let out = '';
  for (const i of indices) out += text.slice(i * size, (i + 1) * size);
  return { ...batch, count: indices.length, pixels: btoa(out) };
}

/** Batches of the same image size, one after the other (Traverse's rows as one grid). */
function concat(batches: ImageBatch[]): ImageBatch {
  return { ...batches[0]!, count: batches.reduce((n, b) => n + b.count, 0), pixels: btoa(batches.map((b) => atob(b.pixels)).join('')) };
}

/** Saves images as a PNG grid named after the run and what it shows. */
function savePng(batch: ImageBatch, columns: number, runName: string | undefined, what: string): Promise<void> {
  return batchPng(batch, columns).then((png) => download(exportFileName([runName, what], 'png'), png));
}

function PointTab() {
  const store = useAppStore();
  const e = useApp((s) => s.explore);
  const classNames = e.info?.classNames ?? [];
  if (e.selected === null) return <p className="muted">Click a point of the map to see its image and reconstruction.</p>;
  const index = e.selected;
  const position = e.map ? positionOf(e.map, index) : -1;
  const label = position >= 0 ? pointLabel(e.map!, classNames, position) : e.point ? `${classNames[e.point.label] ?? `class ${e.point.label}`} #${index}` : `#${index}`;
  const asEnd = (which: 'a' | 'b') => store.getState().setEnd(which, { label, end: { index } });
  return (
    <div data-testid="explore-point" data-index={index}>
      <p>
        <b>{label}</b>
        {e.point?.file && <span className="muted"> · {e.point.file}</span>}
        {e.map && position < 0 && <span className="muted"> · not on this map (it shows a sample)</span>}
      </p>
      {e.point ? (
        <div className="explore__pair">
          <figure>
            <ImageTile batch={e.point.images} index={0} className="image-tile explore__big" testId="point-original" />
            <figcaption>original</figcaption>
          </figure>
          <figure>
            <ImageTile batch={e.point.images} index={1} className="image-tile explore__big" testId="point-reconstruction" />
            <figcaption>reconstruction · error {e.point.error.toFixed(4)}</figcaption>
          </figure>
        </div>
      ) : (
        <p className="muted">Reading…</p>
      )}
      <div className="explore__end-buttons">
        <button type="button" className="btn btn--small" data-testid="point-as-a" onClick={() => asEnd('a')}>
          Use as A
        </button>
        <button type="button" className="btn btn--small" data-testid="point-as-b" onClick={() => asEnd('b')}>
          Use as B
        </button>
      </div>
    </div>
  );
}

function InterpolateTab() {
  const store = useAppStore();
  const e = useApp((s) => s.explore);
  const end = (which: 'a' | 'b') => {
    const value = e[which];
    const index = value && 'index' in value.end && e.map ? positionOf(e.map, value.end.index) : -1;
    return (
      <div className="explore__end" data-testid={`end-${which}`}>
        <b>{which.toUpperCase()}</b>
        {value ? (
          <>
            {e.map && index >= 0 ? <ImageTile batch={e.map.images} index={index} className="image-tile explore__thumb" /> : null}
            <span className="small">{value.label}</span>
          </>
        ) : (
          <span className="muted small">pick an image (Image tab) or a place on the map (At the pointer)</span>
        )}
      </div>
    );
  };
  return (
    <div data-testid="explore-interpolate">
      <div className="explore__ends">
        {end('a')}
        {end('b')}
      </div>
      <div className="explore__controls">
        <label>
          Steps{' '}
          <input type="range" min={2} max={32} value={e.steps} data-testid="interpolate-steps" onChange={(ev) => store.getState().setInterpolation({ steps: Number(ev.target.value) })} /> <b>{e.steps}</b>
        </label>
        <label title="A VAE's codes are Gaussian: a spherical path stays where codes live">
          Path{' '}
          <select value={e.path} data-testid="interpolate-path" onChange={(ev) => store.getState().setInterpolation({ path: ev.target.value as 'linear' | 'spherical' })}>
            <option value="linear">straight line</option>
            <option value="spherical">spherical (slerp)</option>
          </select>
        </label>
        <button type="button" className="btn btn--primary" data-testid="interpolate-run" disabled={!e.a || !e.b || e.busy !== null} onClick={() => void store.getState().interpolate()}>
          Interpolate
        </button>
      </div>
      {e.strip && (
        <>
          <ImageGrid batch={e.strip} columns={Math.min(e.strip.count, 8)} testId="interpolate-strip" />
          <button type="button" className="btn btn--small" data-testid="interpolate-export" onClick={() => void savePng(e.strip!, e.strip!.count, e.info?.runName, 'interpolation')}>
            Export PNG
          </button>
        </>
      )}
    </div>
  );
}

function SampleTab() {
  const store = useAppStore();
  const e = useApp((s) => s.explore);
  const variational = e.info?.variational ?? false;
  const stale = samplesStale(e);
  return (
    <div data-testid="explore-sample">
      <p className="muted small">
        {variational ? 'New images from codes drawn from N(0, I): the prior a VAE is trained to decode.' : 'New images from codes drawn from a Gaussian fitted to the training codes.'}
      </p>
      <div className="explore__controls">
        <label>
          Seed{' '}
          <input type="number" min={0} value={e.seed} className="explore__seed" data-testid="sample-seed" onChange={(ev) => store.getState().setSampling({ seed: Math.max(0, Math.floor(Number(ev.target.value) || 0)) })} />
        </label>
        <label title="Below 1, codes nearer the mean: cleaner, less varied images">
          Temperature{' '}
          <input type="range" min={0.1} max={2} step={0.1} value={e.temperature} data-testid="sample-temperature" onChange={(ev) => store.getState().setSampling({ temperature: Number(ev.target.value) })} /> <b>{e.temperature.toFixed(1)}</b>
        </label>
        <button type="button" className="btn btn--primary" data-testid="sample-run" disabled={e.busy !== null} onClick={() => void store.getState().drawSamples()}>
          Sample 64
        </button>
        <button
          type="button"
          className="btn btn--small"
          data-testid="sample-new-seed"
          onClick={() => {
            store.getState().setSampling({ seed: e.seed + 1 });
            void store.getState().drawSamples();
          }}
        >
          New seed
        </button>
      </div>
      {e.samples && (
        <>
          {e.samples.note && (
            <p className="explore__note" data-testid="sample-note">
              {e.samples.note}
            </p>
          )}
          {stale && (
            <p className="explore__stale" data-testid="sample-stale">
              Drawn with seed {e.sampledWith?.seed} at temperature {e.sampledWith?.temperature.toFixed(1)}: press Sample 64 for these settings.
            </p>
          )}
          <div className={stale ? 'explore__grid--stale' : undefined} data-testid="sample-grid" data-hash={fingerprint(e.samples.images)} data-count={e.samples.images.count} data-stale={stale}>
            <ImageGrid batch={e.samples.images} columns={8} />
          </div>
          <button
            type="button"
            className="btn btn--small"
            data-testid="sample-export"
            onClick={() => void savePng(e.samples!.images, 8, e.info?.runName, `samples seed ${e.sampledWith?.seed} t ${e.sampledWith?.temperature.toFixed(1)}`)}
          >
            Export PNG
          </button>
        </>
      )}
      {variational && e.info?.codeSize === 2 && (
        <>
          <button type="button" className="btn btn--small" data-testid="manifold-run" disabled={e.busy !== null} onClick={() => void store.getState().drawManifold()}>
            Manifold (15×15 at the Gaussian's quantiles)
          </button>
          {e.manifold && <ImageGrid batch={e.manifold} columns={15} testId="manifold-grid" />}
        </>
      )}
    </div>
  );
}

export function TraverseTab() {
  const store = useAppStore();
  const e = useApp((s) => s.explore);
  const traverse = e.traverse;
  return (
    <div data-testid="explore-traverse">
      <p className="muted small">One code unit at a time from −3σ to +3σ around the mean code: what each controls.</p>
      <div className="explore__controls">
        <button type="button" className="btn btn--primary" data-testid="traverse-run" disabled={e.busy !== null} onClick={() => void store.getState().runTraverse()}>
          Traverse
        </button>
        {traverse && (
          <button type="button" className="btn btn--small" data-testid="traverse-export" onClick={() => void savePng(concat(traverse.rows), traverse.rows[0]!.count, e.info?.runName, `traverse ${traverse.dims.map((d) => `z${d + 1}`).join(' ')}`)}>
            Export PNG
          </button>
        )}
      </div>
      {traverse && (
        <div className="explore__rows" data-testid="traverse-rows">
          {traverse.rows.map((row, r) => (
            <div key={r} className="explore__row">
              {/* σ comes one per row, in the order of the rows (not indexed by the unit). */}
              <span className="small muted" data-testid="traverse-label">
                z{traverse.dims[r]! + 1} <span title="its spread over the validation codes">σ {traverse.sigma[r]!.toFixed(2)}</span>
              </span>
              <ImageGrid batch={row} columns={row.count} />
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

function SelectionTab() {
  const store = useAppStore();
  const e = useApp((s) => s.explore);
  const map = e.map;
  // The selected images this map shows (t-SNE maps a sample), in index order.
  const positions = useMemo(() => (map ? e.brushed.map((i) => positionOf(map, i)).filter((p) => p >= 0) : []), [map, e.brushed]);
  const shown = positions.slice(0, 96);
  const batch = useMemo(() => (map && shown.length ? pick(map.images, shown) : null), [map, shown.join(',')]); // eslint-disable-line react-hooks/exhaustive-deps
  if (!map || !batch) {
    return (
      <p className="muted">
        {e.brushed.length ? `None of the ${e.brushed.length.toLocaleString('en')} selected images is on this map (it shows a sample).` : 'Choose Box or Lasso above the map and drag over it to see those images together.'}
      </p>
    );
  }
  const classNames = e.info?.classNames ?? [];
  const missing = e.brushed.length - positions.length;
  const runName = e.info?.runName;
  return (
    <div data-testid="explore-selection" data-count={e.brushed.length}>
      <div className="explore__controls">
        <span className="small" data-testid="selection-count">
          {e.brushed.length.toLocaleString('en')} images{positions.length > shown.length ? `, the first ${shown.length} shown` : ''}
          {missing > 0 ? ` (${missing.toLocaleString('en')} not on this map)` : ''}
        </span>
        <button type="button" className="btn btn--small" data-testid="selection-export-png" onClick={() => void savePng(pick(map.images, positions), Math.min(16, positions.length), runName, `selection ${map.method}`)}>
          Export PNG
        </button>
        <button
          type="button"
          className="btn btn--small"
          data-testid="selection-export-csv"
          title="The selected images: index, file, label, class, error and place on this map"
          onClick={() => download(exportFileName([runName, `selection ${map.method}`], 'csv'), new Blob([mapPointsCsv(map, classNames, positions)], { type: 'text/csv' }))}
        >
          Export CSV
        </button>
      </div>
      <ImageGrid batch={batch} columns={8} captions={shown.map((p) => pointLabel(map, classNames, p))} testId="selection-grid" onPick={(i) => void store.getState().selectImage(map.indices[shown[i]!]!)} />
    </div>
  );
}

export function ExploreTabs() {
  const store = useAppStore();
  const tab = useApp((s) => s.explore.tab);
  const busy = useApp((s) => s.explore.busy);
  return (
    <section className="card explore__tabs">
      <div className="tabs" role="tablist" aria-label="Explore">
        {TABS.map((t) => (
          <button key={t.id} type="button" role="tab" aria-selected={tab === t.id} className={`tab${tab === t.id ? ' tab--on' : ''}`} data-testid={`explore-tab-${t.id}`} onClick={() => store.getState().setExploreTab(t.id)}>
            {t.label}
          </button>
        ))}
        {busy && <span className="pulse" aria-label="working" />}
      </div>
      <div className="explore__tab-body">
        {tab === 'point' && <PointTab />}
        {tab === 'interpolate' && <InterpolateTab />}
        {tab === 'sample' && <SampleTab />}
        {tab === 'traverse' && <TraverseTab />}
        {tab === 'selection' && <SelectionTab />}
      </div>
    </section>
  );
}
