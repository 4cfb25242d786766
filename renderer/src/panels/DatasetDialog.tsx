import { useCallback, useEffect, useMemo, useState } from 'react';
import type { FolderSummary, Preprocessing } from '../../../core/api';
import { folderDatasetId } from '../../../core/data/datasetId';
import { BACKGROUNDS, backgroundNote, colourName, decodedChannels, FIT_MODES, type Background, type FitMode } from '../../../core/data/preprocessing';
import { builtinChoice, builtinDataset, keptName, keptOf, subsetOf } from '../store/datasetSlice';
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

type Source = 'builtin' | 'folder';

const BACKGROUND_LABELS: Record<Background, string> = { white: 'Onto white', black: 'Onto black', alpha: 'Keep as alpha channel' };

/** Choose what to train on: the built-in set (some classes, its first images), or a folder of images (subfolders name the classes). */
export function DatasetDialog() {
  const request = useApp((s) => s.datasetDialog);
  const info = useApp((s) => s.info);
  const current = useApp((s) => s.dataset);
  const api = useApi();
  const { openDatasetDialog, chooseDataset } = useAppStore().getState();
  const [source, setSource] = useState<Source>('builtin');
  const [path, setPath] = useState('');
  const [browsing, setBrowsing] = useState(false);
  const [scanning, setScanning] = useState<{ found: number; checked?: number } | null>(null);
  const [summary, setSummary] = useState<FolderSummary | null>(null);
  const [settings, setSettings] = useState<Preprocessing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState<'skipped' | 'transparent' | null>(null);
  const [keptBuiltin, setKeptBuiltin] = useState<number[] | null>(null);
  const [keptFolder, setKeptFolder] = useState<number[] | null>(null);
  const [subset, setSubset] = useState({ train: 0, validation: 0 });
  const desktop = info?.shell === 'electron';
  const builtinInfo = info?.datasets[0] ?? null;
  const full = useMemo(() => ({ train: builtinInfo?.trainCount ?? 0, validation: builtinInfo?.validationCount ?? 0 }), [builtinInfo]);

  const scan = useCallback(async (folder: string) => {
    if (!folder.trim()) return;
    setSource('folder');
    setPath(folder);
    setBrowsing(false);
    setError(null);
    setSummary(null);
    setScanning({ found: 0 });
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
    setShown(null);
    const builtinNow = current && !current.path;
    setSource(request.path || current?.path ? 'folder' : 'builtin');
    setKeptBuiltin(builtinNow ? keptOf(current.id) : null);
    setSubset(subsetOf(builtinNow ? current.id : undefined, full));
    if (request.path) void scan(request.path);
    else if (current?.path) setPath(current.path);
  }, [request, scan, current, full]);

  useEffect(() => {
    if (scanning === null) return;
    return api.on((e) => e.type === 'scan-progress' && setScanning({ found: e.found, ...(e.checked !== undefined && { checked: e.checked }) }));
  }, [scanning === null]); // eslint-disable-line react-hooks/exhaustive-deps

  if (!request) return null;
  const close = () => openDatasetDialog(null);
  const builtin = info ? builtinDataset(info) : null;
  const set = (patch: Partial<Preprocessing>) => settings && setSettings({ ...settings, ...patch });
  const useFolder = () =>
    summary &&
    settings &&
    chooseDataset({
      id: folderDatasetId(summary.path, settings, keptFolder ?? undefined),
      name: keptName(summary.name, keptFolder, summary.classNames.length),
      height: settings.height,
      width: settings.width,
      channels: decodedChannels(settings),
      classNames: summary.classNames,
      counts: summary.counts,
      path: summary.path,
    });
  const primary =
    source === 'builtin'
      ? { label: `Use ${builtin?.name ?? 'the built-in set'}`, disabled: !builtin, act: () => builtin && chooseDataset(builtinChoice(builtin, full, keptBuiltin, subset)) }
      : summary && settings
        ? { label: 'Use this folder', disabled: false, act: useFolder }
        : { label: scanning ? 'Scanning…' : 'Scan this folder', disabled: !path.trim() || scanning !== null, act: () => void scan(path) };

  return (
    <Modal title="Dataset" onClose={close} testId="dataset-dialog" wide>
      <div className="modal__row dataset-sources" role="radiogroup" aria-label="What to train on">
        {builtin && (
          <label className={`dataset-option${source === 'builtin' ? ' dataset-option--on' : ''}`} data-testid="dataset-source-builtin">
            <span>
              <input type="radio" name="dataset-source" checked={source === 'builtin'} onChange={() => setSource('builtin')} /> <b>{builtin.name}</b>
            </span>
            <span className="muted">
              built-in · {builtin.height}×{builtin.width}×{builtin.channels} · {builtin.classNames.length} classes · {full.train.toLocaleString('en')} + {full.validation.toLocaleString('en')} images
            </span>
          </label>
        )}
        <label className={`dataset-option${source === 'folder' ? ' dataset-option--on' : ''}`} data-testid="dataset-source-folder">
          <span>
            <input type="radio" name="dataset-source" checked={source === 'folder'} onChange={() => setSource('folder')} /> <b>Image folder</b>
          </span>
          <span className="muted">{summary ? `${summary.name} · ${summary.fileCount.toLocaleString('en')} images` : 'your own images: each subfolder a class'}</span>
        </label>
      </div>
      {source === 'builtin' && builtin && (
        <div data-testid="builtin-options">
          <div className="prep-grid prep-grid--two">
            <NumberField label={`Training images (of ${full.train.toLocaleString('en')})`} value={subset.train} min={1} max={full.train} testId="builtin-train" onChange={(train) => setSubset({ ...subset, train })} />
            <NumberField label={`Validation images (of ${full.validation.toLocaleString('en')})`} value={subset.validation} min={1} max={full.validation} testId="builtin-validation" onChange={(validation) => setSubset({ ...subset, validation })} />
          </div>
          <p className="muted small">The first images of each split: fewer train faster, for a quick try.</p>
          <ClassChoice classNames={builtin.classNames} kept={keptBuiltin} onChange={setKeptBuiltin} />
        </div>
      )}
      {source === 'folder' && (
        <div data-testid="folder-options">
          <p className="muted">Each subfolder is a class (files directly inside get the class “unlabeled”). Your folder is only read, never written.</p>
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
          </form>
          {browsing && <FolderBrowser start={path.trim() || null} chooseLabel="Scan the folder shown" onChoose={(p) => void scan(p)} />}
          {scanning !== null && (
            <p className="muted" data-testid="dataset-scanning">
              {scanning.checked === undefined
                ? `Scanning… ${scanning.found.toLocaleString('en')} image files found`
                : `Reading image headers… ${scanning.checked.toLocaleString('en')} of ${scanning.found.toLocaleString('en')}`}
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
                {summary.transparentCount > 0 && (
                  <>
                    {' · '}
                    <button type="button" className="link" data-testid="transparent-toggle" onClick={() => setShown(shown === 'transparent' ? null : 'transparent')}>
                      {summary.transparentCount.toLocaleString('en')} with transparency
                    </button>
                  </>
                )}
                {summary.skippedCount > 0 && (
                  <>
                    {' · '}
                    <button type="button" className="link" data-testid="skipped-toggle" onClick={() => setShown(shown === 'skipped' ? null : 'skipped')}>
                      {summary.skippedCount} file{summary.skippedCount === 1 ? '' : 's'} skipped
                    </button>
                  </>
                )}
              </p>
              {shown === 'skipped' && <SkipReport skipped={summary.skipped} total={summary.skippedCount} />}
              {shown === 'transparent' && (
                <SkipReport skipped={summary.transparent.map((p) => ({ path: p, reason: backgroundNote(settings.background) }))} total={summary.transparentCount} testId="transparent-report" />
              )}
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
                  <select value={settings.fit} data-testid="prep-fit" title={`cover crops to fill, contain pads with the background, fill stretches`} onChange={(e) => set({ fit: e.target.value as FitMode })}>
                    {FIT_MODES.map((m) => (
                      <option key={m} value={m}>
                        {m}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="field">
                  <span>Transparency</span>
                  <select value={settings.background} data-testid="prep-background" title="What transparent pixels become: composited onto white or black, or kept as a last channel" onChange={(e) => set({ background: e.target.value as Background })}>
                    {BACKGROUNDS.map((b) => (
                      <option key={b} value={b}>
                        {BACKGROUND_LABELS[b]}
                      </option>
                    ))}
                  </select>
                </label>
                <NumberField label="Validation %" value={Math.round(settings.validationSplit * 100)} min={1} max={50} testId="prep-split" onChange={(v) => set({ validationSplit: v / 100 })} />
              </div>
              <p className="muted" data-testid="prep-summary">
                Images are resized to {settings.width}×{settings.height} ({settings.fit}), {colourName(decodedChannels(settings))}, {backgroundNote(settings.background)}, scaled to [0, 1]; {Math.round(settings.validationSplit * 100)}% of each class is held out for validation (seed {settings.seed}). The first run decodes the folder; later runs read a cache.
              </p>
            </div>
          )}
        </div>
      )}
      <div className="modal__actions">
        <button type="button" className="btn" onClick={close}>
          Cancel
        </button>
        <button type="button" className="btn btn--primary" data-testid="dataset-use" disabled={primary.disabled} onClick={primary.act}>
          {primary.label}
        </button>
      </div>
    </Modal>
  );
}

export function SkipReport({ skipped, total, testId = 'skip-report' }: { skipped: { path: string; reason: string }[]; total: number; testId?: string }) {
  return (
    <div className="skip-report" data-testid={testId}>
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
