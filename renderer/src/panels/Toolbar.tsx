import { useMemo } from 'react';
import type { BackendPreference } from '../../../core/api';
import { gpuFallback } from '../../../core/backendChoice';
import { backendLabel } from '../../../core/format';
import { TEMPLATES, TEMPLATE_NAMES } from '../../../core/templates';
import { command, COMMANDS, shortcutLabel } from '../commands';
import { useApp, useAppStore } from '../store/context';
import { isTraining } from '../store/store';
import { Menu, type MenuEntry } from './Menu';

/** A toolbar button that is a registered command: same label, shortcut and enabled state everywhere. */
export function CommandButton({ id, className = 'btn btn--ghost', label, testId, title }: { id: string; className?: string; label?: string; testId?: string; title?: string }) {
  const store = useAppStore();
  const cmd = command(id);
  const enabled = useApp((s) => cmd.enabled(s));
  const why = useApp((s) => (cmd.enabled(s) ? null : (cmd.whyDisabled?.(s) ?? null)));
  return (
    <button
      type="button"
      className={className}
      data-testid={testId ?? `cmd-${id}`}
      disabled={!enabled}
      title={why ?? `${title ?? cmd.label}${cmd.shortcut ? ` (${shortcutLabel(cmd.shortcut)})` : ''}`}
      onClick={() => store.getState().runCommand(id)}
    >
      {label ?? cmd.label}
    </button>
  );
}

/** Menu entries for registered commands, with their enabled states read from the store. */
function useCommandEntries(ids: string[], details: Record<string, string> = {}): MenuEntry[] {
  const store = useAppStore();
  const enabled = useApp((s) => ids.map((id) => (command(id).enabled(s) ? '1' : '0')).join(''));
  return useMemo(() => {
    let group: number | null = null;
    return ids.map((id, i) => {
      const cmd = command(id);
      const separator = group !== null && cmd.group !== group;
      group = cmd.group;
      return { id, label: cmd.label, detail: details[id], shortcut: shortcutLabel(cmd.shortcut), enabled: enabled[i] === '1', separator, run: () => store.getState().runCommand(id) };
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [enabled, store]);
}

const idsOf = (menu: string) => COMMANDS.filter((c) => c.menu === menu && !c.submenu).map((c) => c.id);
const FILE_IDS = idsOf('file');
const EDIT_IDS = idsOf('edit');
const HELP_IDS = idsOf('help');
const TEMPLATE_IDS = TEMPLATE_NAMES.map((n) => `template-${n}`);
// The menu shows what each template is for; the Inspector then says what it is and what to watch.
const TEMPLATE_DETAILS = Object.fromEntries(TEMPLATE_NAMES.map((n) => [`template-${n}`, TEMPLATES[n].description]));

function ViewTabs() {
  const store = useAppStore();
  const view = useApp((s) => s.view);
  return (
    <div className="tabs" role="tablist" aria-label="View">
      {(['editor', 'runs', 'explore', 'score', 'lab', 'experiments'] as const).map((v) => {
        const cmd = command(`view-${v}`);
        return (
          <button key={v} type="button" role="tab" aria-selected={view === v} className={`tab${view === v ? ' tab--on' : ''}`} data-testid={`view-${v}`} title={`${cmd.label} (${shortcutLabel(cmd.shortcut)})`} onClick={() => store.getState().runCommand(cmd.id)}>
            {cmd.label}
          </button>
        );
      })}
    </div>
  );
}

/**
 * A dataset's name with its details ("(built-in subset)", "· 3 of 10 classes") in a part that a
 * narrow window drops first, so the name itself stays readable.
 */
function DatasetName({ name }: { name: string }) {
  const cut = name.search(/ \(| · /);
  return (
    <span className="dataset-button__name">
      {cut > 0 ? name.slice(0, cut) : name}
      {cut > 0 && <span className="dataset-button__details">{name.slice(cut)}</span>}
    </span>
  );
}

function DatasetButton() {
  const store = useAppStore();
  const dataset = useApp((s) => s.dataset);
  const cmd = command('dataset');
  const enabled = useApp((s) => cmd.enabled(s));
  return (
    <button
      type="button"
      className="btn btn--ghost dataset-button"
      data-testid="dataset-button"
      disabled={!enabled}
      title={`${dataset ? `${dataset.path ?? dataset.name}: ${dataset.height}×${dataset.width}×${dataset.channels}, ${dataset.classNames.length} classes. ` : ''}${cmd.label} (${shortcutLabel(cmd.shortcut)})`}
      onClick={() => store.getState().runCommand(cmd.id)}
    >
      <span className="muted dataset-button__label">Data:</span> <DatasetName name={dataset ? dataset.name : '…'} /> ▾
    </button>
  );
}

function GraphErrors() {
  const store = useAppStore();
  const analysis = useApp((s) => s.analysis);
  // Faults of the graph as a whole (no bottleneck, no output) first: they are usually the cause of the rest.
  const errors = useMemo(
    () => analysis.diagnostics.filter((d) => d.severity === 'error').sort((a, b) => Number(a.nodeId !== undefined) - Number(b.nodeId !== undefined)),
    [analysis],
  );
  const first = errors[0];
  if (!first) return null;
  return (
    <button
      type="button"
      className="toolbar__blocked"
      data-testid="train-blocked"
      title={first.nodeId ? `${first.message} (click to select the block)` : first.message}
      onClick={() => first.nodeId && store.getState().setSelection({ nodes: [first.nodeId], edges: [] })}
    >
      <b>
        {errors.length} error{errors.length === 1 ? '' : 's'}
      </b>
      <span className="toolbar__blocked-message">: {first.message}</span>
    </button>
  );
}

const PREFERENCES: { id: BackendPreference; label: string; detail: string }[] = [
  { id: 'auto', label: 'Automatic', detail: 'The fastest found: a GPU, else the CPU' },
  { id: 'gpu', label: 'GPU', detail: 'A GPU (CUDA or WebGPU) when there is one' },
  { id: 'cpu', label: 'CPU', detail: 'WebAssembly on the CPU, even with a GPU' },
];

/** The backend training runs on, with its GPU; a menu of where to train (not while a run trains). */
function BackendBadge() {
  const store = useAppStore();
  const backend = useApp((s) => s.backend);
  const preference = useApp((s) => s.info?.backendPreference ?? 'auto');
  const connected = useApp((s) => s.connected);
  const busy = useApp((s) => isTraining(s.training.status));
  if (!connected) {
    return (
      <span className="badge badge--warn" data-testid="connection-lost" title="The connection to the Bottleneck server was lost; it reconnects by itself.">
        reconnecting…
      </span>
    );
  }
  const fellBack = gpuFallback(preference, backend);
  const gpu = backend?.adapter ? [`${backend.adapter.description}${backend.adapter.fallback ? ' (a software adapter: slow)' : ''}`] : [];
  const title = [
    ...(fellBack ? [`GPU chosen, but ${fellBack}`] : [...gpu, ...(backend?.skipped.map((s) => `${s.name}: ${s.reason}`) ?? [])]),
    busy ? 'Where to train can be changed once the run ends' : 'Where to train: click to choose',
  ].join('\n');
  const entries: MenuEntry[] = PREFERENCES.map((p) => ({
    id: `backend-${p.id}`,
    label: `${p.id === preference ? '✓ ' : ''}${p.label}`,
    detail: p.detail,
    enabled: !busy,
    run: () => void store.getState().setBackendPreference(p.id),
  }));
  // A GPU choice that fell back says so on the badge itself, in the warning colour; hover says why.
  const label = (
    <span className={`badge${fellBack ? ' badge--warn' : ''}`} data-testid="backend-badge">
      {backend ? `${backendLabel(backend)}${fellBack ? ' · no GPU' : ''}` : 'starting…'}
    </span>
  );
  return <Menu label={label} testId="backend-menu" entries={entries} wide title={title} />;
}

/**
 * Train, or while a run goes: Pause or Resume, Stop, and Queue (Train again: the graph on screen
 * trains next). Each is its registered command.
 */
function RunControls() {
  const status = useApp((s) => s.training.status);
  const stopping = status === 'stopping';
  if (!isTraining(status)) return <CommandButton id="train" className="btn btn--primary" testId="train-start" />;
  return (
    <>
      <CommandButton id="train" className="btn" testId="train-queue" label="Queue" title="Queue the graph on screen: it trains when this run ends" />
      {status === 'paused' ? <CommandButton id="resume" className="btn btn--primary" testId="train-resume" /> : status === 'running' ? <CommandButton id="pause" className="btn" testId="train-pause" /> : null}
      <CommandButton id="stop" className="btn btn--stop" testId="train-stop" label={stopping ? 'Stopping…' : 'Stop'} />
    </>
  );
}

export function Toolbar() {
  const view = useApp((s) => s.view);
  const fileEntries = useCommandEntries(FILE_IDS);
  const editEntries = useCommandEntries(EDIT_IDS);
  const templateEntries = useCommandEntries(TEMPLATE_IDS, TEMPLATE_DETAILS);
  const helpEntries = useCommandEntries(HELP_IDS);

  return (
    <header className="toolbar">
      <div className="brand" title="Bottleneck">
        <img src="./icon.svg" alt="" width={22} height={22} />
        <span className="brand__name">Bottleneck</span>
      </div>
      <ViewTabs />
      {view === 'editor' && (
        <>
          <div className="toolbar__group" role="group" aria-label="Menus">
            <Menu label="File ▾" testId="file-menu" entries={fileEntries} />
            <Menu label="Edit ▾" testId="edit-menu" entries={editEntries} />
            <Menu label="Templates ▾" testId="templates-menu" entries={templateEntries} wide title="Load a ready-made autoencoder, sized for the dataset's images" />
            <CommandButton id="undo" label="↶" className="btn btn--ghost btn--icon" />
            <CommandButton id="redo" label="↷" className="btn btn--ghost btn--icon" />
          </div>
          <DatasetButton />
        </>
      )}
      <div className="toolbar__spacer" />
      {view === 'editor' && <GraphErrors />}
      <BackendBadge />
      <Menu label="?" testId="help-menu" entries={helpEntries} title="Help: keys, the guide, the workspace" />
      {view === 'editor' && <RunControls />}
    </header>
  );
}
