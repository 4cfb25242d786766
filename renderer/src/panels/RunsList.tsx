import { formatDuration } from '../../../core/format';
import { useMemo, useState } from 'react';
import type { RunStatus, RunSummary } from '../../../core/api';
import { formatValue } from '../../../core/runs/diff';
import { MAX_COMPARED } from '../store/runsSlice';
import { useApp, useAppStore } from '../store/context';
import { runColor } from './runColors';

type SortKey = 'name' | 'status' | 'startedAt' | 'durationMs' | 'topology' | 'codeSize' | 'totalParams' | 'datasetName' | 'backend' | 'val_loss' | 'best_val_loss';

const COLUMNS: { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: 'name', label: 'Name' },
  { key: 'status', label: 'Status' },
  { key: 'startedAt', label: 'Started' },
  { key: 'durationMs', label: 'Duration', numeric: true },
  { key: 'topology', label: 'Topology' },
  { key: 'codeSize', label: 'Code', numeric: true },
  { key: 'totalParams', label: 'Params', numeric: true },
  { key: 'datasetName', label: 'Dataset' },
  { key: 'backend', label: 'Backend' },
  { key: 'val_loss', label: 'Val loss', numeric: true },
  { key: 'best_val_loss', label: 'Best', numeric: true },
];

const STATUSES: (RunStatus | 'all' | 'damaged')[] = ['all', 'finished', 'stopped', 'interrupted', 'failed', 'running', 'paused', 'queued', 'damaged'];

function formatStart(iso: string): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return `${d.toLocaleDateString('en-CA')} ${d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}`;
}

const loss = (v: number | null) => (v === null ? '–' : v.toFixed(4));

function compare(a: RunSummary, b: RunSummary, key: SortKey): number {
  const x = a[key];
  const y = b[key];
  if (x === y) return 0;
  if (x === null) return 1;
  if (y === null) return -1;
  return typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
}

function NameCell({ run }: { run: RunSummary }) {
  const store = useAppStore();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(run.name);
  if (!editing) {
    return (
      <span className="runs__name" title={`${run.id}\nDouble-click to rename`} onDoubleClick={() => !run.damaged && (setText(run.name), setEditing(true))}>
        {run.name}
      </span>
    );
  }
  const commit = () => {
    setEditing(false);
    if (text.trim() && text.trim() !== run.name) void store.getState().renameRun(run.id, text.trim());
  };
  return (
    <input
      className="runs__name-input"
      data-testid="run-name-input"
      autoFocus
      value={text}
      maxLength={200}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
        if (e.key === 'Escape') setEditing(false);
      }}
    />
  );
}

export function RunsList() {
  const runs = useApp((s) => s.runs);
  const loaded = useApp((s) => s.runsLoaded);
  const compared = useApp((s) => s.compared);
  const activeRun = useApp((s) => s.training.runId);
  const [filter, setFilter] = useState('');
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('all');
  const [starredOnly, setStarredOnly] = useState(false);
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'startedAt', dir: -1 });
  const { toggleCompared, starRun, deleteRuns, continueRun, openRunGraph, clearCompared, openExplore, openExport } = useAppStore().getState();

  const shown = useMemo(() => {
    const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
    return runs
      .filter((r) => (status === 'all' ? true : status === 'damaged' ? r.damaged !== null : r.status === status && !r.damaged))
      .filter((r) => !starredOnly || r.starred)
      .filter((r) => words.every((w) => `${r.name} ${r.id} ${r.topology} ${r.datasetName} ${r.status} ${r.backend ?? ''}`.toLowerCase().includes(w)))
      .sort((a, b) => compare(a, b, sort.key) * sort.dir);
  }, [runs, filter, status, starredOnly, sort]);

  return (
    <section className="card runs" aria-label="Runs">
      <header className="card__header">
        <h2 className="card__title">Runs</h2>
        <div className="runs__filters">
          <input type="search" placeholder="Filter: name, topology, dataset…" value={filter} data-testid="runs-filter" aria-label="Filter runs" onChange={(e) => setFilter(e.target.value)} />
          <select value={status} data-testid="runs-status-filter" aria-label="Status" onChange={(e) => setStatus(e.target.value as typeof status)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s === 'all' ? 'every status' : s}
              </option>
            ))}
          </select>
          <label className="runs__check">
            <input type="checkbox" checked={starredOnly} data-testid="runs-starred-filter" onChange={(e) => setStarredOnly(e.target.checked)} /> ★ only
          </label>
          <span className="muted">
            {shown.length} of {runs.length} · {compared.length}/{MAX_COMPARED} compared
          </span>
          {compared.length > 0 && (
            <button type="button" className="btn btn--ghost btn--small" onClick={clearCompared}>
              Clear
            </button>
          )}
        </div>
      </header>
      <div className="runs__scroll">
        <table className="runs__table" data-testid="runs-list" data-count={shown.length}>
          <thead>
            <tr>
              <th aria-label="Compare" />
              <th aria-label="Star" />
              {COLUMNS.map((c) => (
                <th key={c.key} className={c.numeric ? 'num' : undefined} aria-sort={sort.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
                  <button type="button" data-testid={`runs-sort-${c.key}`} onClick={() => setSort({ key: c.key, dir: sort.key === c.key ? (-sort.dir as 1 | -1) : c.numeric ? 1 : -1 })}>
                    {c.label}
                    {sort.key === c.key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
                  </button>
                </th>
              ))}
              <th />
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => {
              const index = compared.indexOf(r.id);
              const live = r.status === 'running' || r.status === 'paused' || r.status === 'queued';
              const canContinue = !r.damaged && !live && r.epochsDone > 0 && r.epochsDone < r.epochs && r.status !== 'finished';
              return (
                <tr key={r.id} data-testid={`run-row-${r.id}`} className={`${index >= 0 ? 'runs__row--on' : ''}${r.damaged ? ' runs__row--damaged' : ''}`}>
                  <td>
                    <input
                      type="checkbox"
                      checked={index >= 0}
                      disabled={r.damaged !== null}
                      data-testid={`run-select-${r.id}`}
                      aria-label={`Compare ${r.name}`}
                      onChange={() => toggleCompared(r.id)}
                      style={index >= 0 ? { accentColor: runColor(index) } : undefined}
                    />
                  </td>
                  <td>
                    <button type="button" className={`star${r.starred ? ' star--on' : ''}`} data-testid={`run-star-${r.id}`} aria-pressed={r.starred} title={r.starred ? 'Unstar' : 'Star'} disabled={r.damaged !== null} onClick={() => void starRun(r.id, !r.starred)}>
                      {r.starred ? '★' : '☆'}
                    </button>
                  </td>
                  <td>
                    {index >= 0 && <span className="swatch" style={{ background: runColor(index) }} />}
                    <NameCell run={r} />
                  </td>
                  <td>
                    {r.damaged ? (
                      <span className="status status--damaged" title={r.damaged}>
                        damaged: {r.damaged}
                      </span>
                    ) : (
                      <span className={`status status--${r.status}`} title={r.error ?? undefined}>
                        {r.status}
                        {r.id === activeRun && live ? ' ●' : ''} {r.epochsDone}/{r.epochs}
                      </span>
                    )}
                  </td>
                  <td>{formatStart(r.startedAt)}</td>
                  <td className="num">{formatDuration(r.durationMs)}</td>
                  <td>{r.topology}</td>
                  <td className="num">{formatValue(r.codeSize)}</td>
                  <td className="num">{formatValue(r.totalParams)}</td>
                  <td title={r.datasetId}>{r.datasetName || '–'}</td>
                  <td>{r.backend ?? '–'}</td>
                  <td className="num">{loss(r.val_loss)}</td>
                  <td className="num">{loss(r.best_val_loss)}</td>
                  <td>
                    <div className="runs__actions">
                    <button type="button" className="btn btn--ghost btn--small" data-testid={`run-open-${r.id}`} disabled={r.damaged !== null} title="Open this run's graph in the editor" onClick={() => void openRunGraph(r.id)}>
                      Graph
                    </button>
                    <button type="button" className="btn btn--ghost btn--small" data-testid={`run-explore-${r.id}`} disabled={r.damaged !== null || r.epochsDone === 0} title={r.epochsDone === 0 ? 'It has not finished an epoch yet' : 'Explore its latent space, and make new images'} onClick={() => void openExplore(r.id)}>
                      Explore
                    </button>
                    <button type="button" className="btn btn--ghost btn--small" data-testid={`run-export-${r.id}`} disabled={r.damaged !== null || r.epochsDone === 0} title={r.epochsDone === 0 ? 'It has not finished an epoch yet' : 'Export the model: ONNX, TensorFlow.js or a PyTorch project'} onClick={() => openExport({ id: r.id, name: r.name })}>
                      Export…
                    </button>
                    {canContinue && (
                      <button type="button" className="btn btn--ghost btn--small" data-testid={`run-continue-${r.id}`} title="Continue from the last finished epoch" onClick={() => void continueRun(r.id)}>
                        Continue
                      </button>
                    )}
                    <button type="button" className="btn btn--ghost btn--small" data-testid={`run-delete-${r.id}`} disabled={live} title={live ? 'Stop it first' : 'Move to the trash (undoable)'} onClick={() => void deleteRuns([r.id])}>
                      Delete
                    </button>
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {loaded && runs.length === 0 && <p className="muted empty">No runs yet: press Train in the editor, or run `bottleneck train`.</p>}
      </div>
    </section>
  );
}
