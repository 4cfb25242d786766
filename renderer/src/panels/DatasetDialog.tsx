import { useCallback, useEffect, useState } from 'react';
import type { FolderSummary, Preprocessing } from '../../../core/api';
import { folderDatasetId, parseDatasetId, withClasses } from '../../../core/data/datasetId';
import { FIT_MODES, type FitMode } from '../../../core/data/preprocessing';
import { builtinDataset } from '../store/datasetSlice';
import { useApi, useApp, useAppStore } from '../store/context';
import { Modal } from './Dialogs';
import { FolderBrowser } from './FolderBrowser';

const MAX_SIDE = 512;


/**
 * The classes to train on (the validation split keeps every class): train on all but one and the
 * Anomalies view ranks the one held out.
 */
function ClassChoice({ classNames, kept, onChange }: { classNames: string[]; kept: number[] | null; onChange(kept: number[] | null): void }) {
  if (classNames.length < 2) return null;
  const on = (c: number) => kept === null || kept.includes(c);
  const toggle = (c: number) => {
    const next = classNames.map((_, k) => k).filter((k) => (k === c ? !on(k) : on(k)));
    if (next.length === 0) return; // at least one class trains
    onChange(next.length === classNames.length ? null : next);
  };
  return (
    <fieldset className="class-choice" data-testid="class-choice">
      <legend>
        Train on these classes <span className="muted">(validation keeps all: hold one out and rank it in Anomalies)</span>
        {kept !== null && (
          <button type="button" className="link" onClick={() => onChange(null)}>
            all
          </button>
        )}
      </legend>
      {classNames.map((name, c) => (
        <label key={name} className="class-choice__item">
          <input type="checkbox" checked={on(c)} data-testid={`class-choice-${c}`} onChange={() => toggle(c)} /> {name}
        </label>
      ))}
    </fieldset>
  );
}

/** The name a dataset goes by when only some of its classes train. */
export function keptName(name: string, kept: number[] | null, classCount: number): string {
  return kept === null ? name : `${name} · ${kept.length} of ${classCount} classes`;
}

/** The classes a chosen dataset's id keeps, or null for all. */
function keptOf(id: string | undefined): number[] | null {
  try {
    return id ? (parseDatasetId(id).classes ?? null) : null;
  } catch {
    return null;
  }
}

function ClassCounts({ summary }: { summary: FolderSummary }) {
  const max = Math.max(...Object.values(summary.counts));
  return (
    <table className="class-counts" data-testid="class-counts">
      <tbody>
        {summary.classNames.map((name) => (
          <tr key={name} data-testid={`class-count-${name}`}>
            <td className="class-counts__name">{name}</td>
            <td className="class-counts__bar">
              <span style={{ width: `${(100 * summary.counts[name]!) / max}%` }} />
            </td>
            <td className="class-counts__n">{summary.counts[name]!.toLocaleString('en')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NumberField({ label, value, min, max, step = 1, testId, onChange }: { label: string; value: number; min: number; max: number; step?: number; testId: string; onChange: (v: number) => void }) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const parsed = Number(text);
  const bad = !(Number.isFinite(parsed) && parsed >= min && parsed <= max);
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="number"
        value={text}
        min={min}
        max={max}
        step={step}
        data-testid={testId}
        aria-invalid={bad}
        title={bad ? `from ${min} to ${max}` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          const v = Number(e.target.value);
          if (Number.isFinite(v) && v >= min && v <= max) onChange(v);
        }}
      />
    </label>
  );
}

/** Choose what to train on: the built-in set, or a folder of images (subfolders name the classes). */
export function DatasetDialog() {
  const request = useApp((s) => s.datasetDialog);
  const info = useApp((s) => s.info);
  const current = useApp((s) => s.dataset);
  const api = useApi();
  const { openDatasetDialog, chooseDataset } = useAppStore().getState();
  const [path, setPath] = useState('');
  const [browsing, setBrowsing] = useState(false);
  const [scanning, setScanning] = useState<number | null>(null);
  const [summary, setSummary] = useState<FolderSummary | null>(null);
  const [settings, setSettings] = useState<Preprocessing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showSkipped, setShowSkipped] = useState(false);
  const [keptBuiltin, setKeptBuiltin] = useState<number[] | null>(null);
  const [keptFolder, setKeptFolder] = useState<number[] | null>(null);
  const desktop = info?.shell === 'electron';

  const scan = useCallback(async (folder: string) => {
    if (!folder.trim()) return;
    setPath(folder);
    setBrowsing(false);
    setError(null);
    setSummary(null);
    setScanning(0);
    try {
      const result = await api.invoke('datasets:scan', { path: folder.trim() });
      setSummary(result);
      setSettings(result.suggested);
      setKeptFolder(null);
      setPath(result.path);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setScanning(null);
    }
  }, [api]);

  useEffect(() => {
    if (!request) return;
    setError(null);
    setShowSkipped(false);
    setKeptBuiltin(current && !current.path ? keptOf(current.id) : null);
    if (request.path) void scan(request.path);
    else if (current?.path) setPath(current.path);
  }, [request, scan, current?.path]);

  useEffect(() => {
    if (scanning === null) return;
    return api.on((e) => e.type === 'scan-progress' && setScanning(e.found));
  }, [scanning === null]); // eslint-disable-line react-hooks/exhaustive-deps

  if (!request) return null;
  const close = () => openDatasetDialog(null);
  const builtin = info ? builtinDataset(info) : null;
  const set = (patch: Partial<Preprocessing>) => settings && setSettings({ ...settings, ...patch });

  return (
    <Modal title="Dataset" onClose={close} testId="dataset-dialog" wide>
      <p className="muted">Train on the built-in Fashion-MNIST subset, or on a folder of images: each subfolder is a class (files directly inside get the class “unlabeled”). Your folder is only read, never written.</p>
      {builtin && (
        <>
          <div className="modal__row">
            <button
              type="button"
              className={`dataset-option${current && withClasses(current.id, null) === builtin.id ? ' dataset-option--on' : ''}`}
              data-testid="dataset-builtin"
              onClick={() => chooseDataset({ ...builtin, id: withClasses(builtin.id, keptBuiltin), name: keptName(builtin.name, keptBuiltin, builtin.classNames.length) })}
            >
              <b>{builtin.name}</b>
              <span className="muted">
                built-in · {builtin.height}×{builtin.width}×{builtin.channels} · {keptBuiltin ? `${keptBuiltin.length} of ` : ''}
                {builtin.classNames.length} classes
              </span>
            </button>
          </div>
          <ClassChoice classNames={builtin.classNames} kept={keptBuiltin} onChange={setKeptBuiltin} />
        </>
      )}
      <h3 className="modal__subtitle">Image folder</h3>
      <form
        className="modal__row"
        onSubmit={(e) => {
          e.preventDefault();
          void scan(path);
        }}
      >
        <input className="grow" type="text" placeholder="/path/to/images" value={path} spellCheck={false} data-testid="dataset-path" aria-label="Folder path" onChange={(e) => setPath(e.target.value)} />
        {desktop ? (
          <button
            type="button"
            className="btn"
            data-testid="dataset-choose-folder"
            onClick={() =>
              void api
                .invoke('dialog:open-folder', {})
                .then((r) => {
                  if (r.path) void scan(r.path);
                })
            }
          >
            Choose…
          </button>
        ) : (
          <button type="button" className="btn" data-testid="dataset-browse" aria-expanded={browsing} onClick={() => setBrowsing(!browsing)}>
            Browse…
          </button>
        )}
        <button type="submit" className="btn btn--primary" data-testid="dataset-scan" disabled={!path.trim() || scanning !== null}>
          Scan
        </button>
      </form>
      {browsing && <FolderBrowser start={path.trim() || null} onChoose={(p) => void scan(p)} />}
      {scanning !== null && (
        <p className="muted" data-testid="dataset-scanning">
          Scanning… {scanning.toLocaleString('en')} image files found
        </p>
      )}
      {error && (
        <p className="field-error" data-testid="dataset-error">
          {error}
        </p>
      )}
      {summary && settings && (
        <div data-testid="dataset-summary">
          <p>
            <b>{summary.fileCount.toLocaleString('en')}</b> images in <b>{summary.classNames.length}</b> class{summary.classNames.length === 1 ? '' : 'es'}
            {summary.skippedCount > 0 && (
              <>
                {' · '}
                <button type="button" className="link" data-testid="skipped-toggle" onClick={() => setShowSkipped(!showSkipped)}>
                  {summary.skippedCount} file{summary.skippedCount === 1 ? '' : 's'} skipped
                </button>
              </>
            )}
          </p>
          {showSkipped && <SkipReport skipped={summary.skipped} total={summary.skippedCount} />}
          <ClassCounts summary={summary} />
          <ClassChoice classNames={summary.classNames} kept={keptFolder} onChange={setKeptFolder} />
          <div className="prep-grid">
            <NumberField label="Width" value={settings.width} min={1} max={MAX_SIDE} testId="prep-width" onChange={(width) => set({ width })} />
            <NumberField label="Height" value={settings.height} min={1} max={MAX_SIDE} testId="prep-height" onChange={(height) => set({ height })} />
            <label className="field">
              <span>Colour</span>
              <select value={settings.channels} data-testid="prep-channels" onChange={(e) => set({ channels: Number(e.target.value) as 1 | 3 })}>
                <option value={1}>Grayscale</option>
                <option value={3}>RGB</option>
              </select>
            </label>
            <label className="field">
              <span>Fit</span>
              <select value={settings.fit} data-testid="prep-fit" title="cover crops to fill, contain pads with black, fill stretches" onChange={(e) => set({ fit: e.target.value as FitMode })}>
                {FIT_MODES.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            </label>
            <NumberField label="Validation %" value={Math.round(settings.validationSplit * 100)} min={1} max={50} testId="prep-split" onChange={(v) => set({ validationSplit: v / 100 })} />
          </div>
          <p className="muted">
            Images are resized to {settings.width}×{settings.height} ({settings.fit}), {settings.channels === 1 ? 'grayscale' : 'RGB'}, scaled to [0, 1]; {Math.round(settings.validationSplit * 100)}% of each class is held out for validation (seed {settings.seed}). The first run decodes the folder; later runs read a cache.
          </p>
        </div>
      )}
      <div className="modal__actions">
        <button type="button" className="btn" onClick={close}>
          Cancel
        </button>
        <button
          type="button"
          className="btn btn--primary"
          data-testid="dataset-use"
          disabled={!summary || !settings}
          onClick={() =>
            summary &&
            settings &&
            chooseDataset({
              id: folderDatasetId(summary.path, settings, keptFolder ?? undefined),
              name: keptName(summary.name, keptFolder, summary.classNames.length),
              height: settings.height,
              width: settings.width,
              channels: settings.channels,
              classNames: summary.classNames,
              counts: summary.counts,
              path: summary.path,
            })
          }
        >
          Use this folder
        </button>
      </div>
    </Modal>
  );
}

export function SkipReport({ skipped, total }: { skipped: { path: string; reason: string }[]; total: number }) {
  return (
    <div className="skip-report" data-testid="skip-report">
      <ul>
        {skipped.map((s) => (
          <li key={s.path}>
            <code>{s.path}</code> <span className="muted">— {s.reason}</span>
          </li>
        ))}
      </ul>
      {total > skipped.length && <p className="muted">…and {total - skipped.length} more.</p>}
    </div>
  );
}
