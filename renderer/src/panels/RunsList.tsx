import { formatDuration } from '../../../core/format';
import { useMemo, useState } from 'react';
import type { RunStatus, RunSummary } from '../../../core/api';
import { formatValue } from '../../../core/runs/diff';
import { matchesRunFilter, tagFilter } from '../../../core/runs/notes';
import { MAX_COMPARED } from '../store/runsSlice';
import { useApp, useAppStore } from '../store/context';
import { describeTrash } from '../store/workspaceSlice';
import { command } from '../commands';
import { Menu, type MenuEntry } from './Menu';
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

/** "3 Dec 15:22" this year, "3 Dec 2025" before: short enough for the narrowest window (the cell's title has the full time). */
function formatStart(iso: string, now = new Date()): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '–';
  const day = d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });
  return d.getFullYear() === now.getFullYear() ? `${day} ${d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}` : `${day} ${d.getFullYear()}`;
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

/** A run's tags (each one a filter for the runs that carry it) and the start of its note. */
function RunNotesCell({ run, onTag }: { run: RunSummary; onTag: (tag: string) => void }) {
  if (!run.tags.length && !run.note.trim() && !run.notesProblem) return null;
  return (
    <div className="runs__notes">
      {run.tags.map((tag) => (
        <button key={tag} type="button" className="tag" data-testid={`run-tag-${run.id}-${tag}`} title={`Show the runs tagged "${tag}"`} onClick={() => onTag(tag)}>
          {tag}
        </button>
      ))}
      {run.note.trim() && (
        <span className="runs__note" data-testid={`run-note-${run.id}`} title={run.note}>
          {run.note.trim()}
        </span>
      )}
      {run.notesProblem && (
        <span className="runs__notes-problem" title={run.notesProblem}>
          notes unreadable
        </span>
      )}
    </div>
  );
}

/** Every action on one run, in one menu: the row stays narrow enough for every column at any window size. */
function RunActions({ run, live, canContinue, canExtend }: { run: RunSummary; live: boolean; canContinue: boolean; canExtend: boolean }) {
  const store = useAppStore();
  const s = store.getState();
  const damaged = run.damaged !== null;
  const unfinished = run.epochsDone === 0 ? 'It has not finished an epoch yet' : undefined;
  const entries: MenuEntry[] = [
    { id: 'run-open', label: 'Open graph', detail: damaged ? 'The run folder is damaged' : 'In the editor, with this run on the dashboard', enabled: !damaged, run: () => void s.openRunGraph(run.id) },
    { id: 'run-explore', label: 'Explore', detail: unfinished ?? 'Its latent space; new images', enabled: !damaged && run.epochsDone > 0, run: () => void s.openExplore(run.id) },
    { id: 'run-export', label: 'Export…', detail: unfinished ?? 'ONNX, TensorFlow.js or a PyTorch project', enabled: !damaged && run.epochsDone > 0, run: () => s.openExport({ id: run.id, name: run.name }) },
    ...(canContinue ? [{ id: 'run-continue', label: 'Continue', detail: 'From its last finished epoch', enabled: true, run: () => void s.continueRun(run.id) }] : []),
    ...(canExtend ? [{ id: 'run-continue-more', label: 'Continue…', detail: 'Train it for more epochs', enabled: true, run: () => s.openContinue(run.id) }] : []),
    { id: 'run-notes', label: 'Note and tags…', enabled: !damaged, separator: true, run: () => s.openNotes(run.id) },
    { id: 'run-delete', label: 'Delete', detail: live ? 'Stop it first' : 'Moves it to the trash (Undo brings it back)', enabled: !live, separator: true, run: () => void s.deleteRuns([run.id]) },
  ];
  return <Menu label="⋯" testId={`run-actions-${run.id}`} entries={entries} title={`Actions on ${run.name}`} />;
}

/** Open the workspace folder; empty the trash, its size shown. */
function WorkspaceMenu() {
  const store = useAppStore();
  const trash = useApp((s) => s.trash);
  const workspace = useApp((s) => s.info?.workspace ?? null);
  const entries: MenuEntry[] = [
    { id: 'workspace-folder', label: command('workspace-folder').label, detail: workspace ?? undefined, enabled: workspace !== null, run: () => store.getState().runCommand('workspace-folder') },
    {
      id: 'empty-trash',
      label: command('empty-trash').label,
      detail: trash ? (trash.runs ? `${describeTrash(trash)} deleted, waiting to be restored` : 'The trash is empty') : undefined,
      enabled: trash === null || trash.runs > 0,
      run: () => store.getState().runCommand('empty-trash'),
    },
  ];
  return <Menu label="Workspace ▾" testId="workspace-menu" entries={entries} wide title="The workspace folder and the trash" />;
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
  const { toggleCompared, starRun, clearCompared } = useAppStore().getState();

  const shown = useMemo(
    () =>
      runs
        .filter((r) => (status === 'all' ? true : status === 'damaged' ? r.damaged !== null : r.status === status && !r.damaged))
        .filter((r) => !starredOnly || r.starred)
        .filter((r) => matchesRunFilter(r, filter))
        .sort((a, b) => compare(a, b, sort.key) * sort.dir),
    [runs, filter, status, starredOnly, sort],
  );

  return (
    <section className="card runs" aria-label="Runs">
      <header className="card__header">
        <h2 className="card__title">Runs</h2>
        <div className="runs__filters">
          <input type="search" placeholder="Filter: name, note, tag, topology…" title="Every word must match: a name, note, tag, topology, dataset, backend or status; #tag matches a tag exactly" value={filter} data-testid="runs-filter" aria-label="Filter runs" onChange={(e) => setFilter(e.target.value)} />
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
          <WorkspaceMenu />
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
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => {
              const index = compared.indexOf(r.id);
              const live = r.status === 'running' || r.status === 'paused' || r.status === 'queued';
              const canContinue = !r.damaged && !live && r.epochsDone > 0 && r.epochsDone < r.epochs && r.status !== 'finished';
              const canExtend = !r.damaged && !live && r.epochsDone > 0 && !canContinue;
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
                  <td className="runs__name-cell">
                    {index >= 0 && <span className="swatch" style={{ background: runColor(index) }} />}
                    <NameCell run={r} />
                    <RunNotesCell run={r} onTag={(tag) => setFilter(tagFilter(tag))} />
                  </td>
                  {/* "stopped 28/1000" may break before its epochs, so a long count never widens the table past a small window. */}
                  <td className="runs__wrap">
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
                  <td title={r.startedAt ? new Date(r.startedAt).toLocaleString() : undefined}>{formatStart(r.startedAt)}</td>
                  <td className="num">{formatDuration(r.durationMs)}</td>
                  <td>{r.topology}</td>
                  <td className="num">{formatValue(r.codeSize)}</td>
                  <td className="num">{formatValue(r.totalParams)}</td>
                  <td className="runs__wrap" title={r.datasetId}>{r.datasetName || '–'}</td>
                  <td className="runs__wrap">{r.backend ?? '–'}</td>
                  <td className="num">{loss(r.val_loss)}</td>
                  <td className="num">{loss(r.best_val_loss)}</td>
                  <td className="runs__actions">
                    <RunActions run={r} live={live} canContinue={canContinue} canExtend={canExtend} />
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
