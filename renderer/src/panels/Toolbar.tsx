import { useEffect, useMemo, useRef, useState } from 'react';
import { TEMPLATES, TEMPLATE_NAMES } from '../../../core/templates';
import { command, shortcutLabel } from '../commands';
import { isTraining, selectDirty, useApp } from '../store/store';

function CommandButton({ id, className = 'btn btn--ghost', label }: { id: string; className?: string; label?: string }) {
  const cmd = command(id);
  const enabled = useApp((s) => cmd.enabled(s));
  return (
    <button type="button" className={className} data-testid={`cmd-${id}`} disabled={!enabled} title={`${cmd.label}${cmd.shortcut ? ` (${shortcutLabel(cmd.shortcut)})` : ''}`} onClick={() => cmd.run(useApp.getState())}>
      {label ?? cmd.label}
    </button>
  );
}

function TemplateMenu({ disabled }: { disabled: boolean }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => !ref.current?.contains(e.target as Node) && setOpen(false);
    window.addEventListener('mousedown', close);
    return () => window.removeEventListener('mousedown', close);
  }, [open]);
  return (
    <div className="menu" ref={ref}>
      <button type="button" className="btn btn--ghost" data-testid="templates-menu" aria-expanded={open} disabled={disabled} onClick={() => setOpen(!open)}>
        Templates ▾
      </button>
      {open && (
        <ul className="menu__list" role="menu">
          {TEMPLATE_NAMES.map((name) => (
            <li key={name} role="none">
              <button
                type="button"
                role="menuitem"
                className="menu__item"
                data-testid={`template-${name}`}
                onClick={() => {
                  setOpen(false);
                  useApp.getState().loadTemplate(name);
                }}
              >
                <b>{TEMPLATES[name].label}</b>
                <span className="muted">{TEMPLATES[name].description}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ViewTabs() {
  const view = useApp((s) => s.view);
  return (
    <div className="tabs" role="tablist" aria-label="View">
      {(['editor', 'runs'] as const).map((v) => {
        const cmd = command(`view-${v}`);
        return (
          <button key={v} type="button" role="tab" aria-selected={view === v} className={`tab${view === v ? ' tab--on' : ''}`} data-testid={`view-${v}`} title={`${cmd.label} (${shortcutLabel(cmd.shortcut!)})`} onClick={() => cmd.run(useApp.getState())}>
            {v === 'editor' ? 'Design' : 'Runs'}
          </button>
        );
      })}
    </div>
  );
}

function DatasetButton({ disabled }: { disabled: boolean }) {
  const dataset = useApp((s) => s.dataset);
  const cmd = command('dataset');
  return (
    <button
      type="button"
      className="btn btn--ghost dataset-button"
      data-testid="dataset-button"
      disabled={disabled}
      title={`${dataset ? `${dataset.path ?? dataset.name}: ${dataset.height}×${dataset.width}×${dataset.channels}, ${dataset.classNames.length} classes. ` : ''}${cmd.label} (${shortcutLabel(cmd.shortcut!)})`}
      onClick={() => cmd.run(useApp.getState())}
    >
      <span className="muted">Data</span> {dataset ? dataset.name : '…'} ▾
    </button>
  );
}

export function Toolbar() {
  const view = useApp((s) => s.view);
  const name = useApp((s) => s.doc.name);
  const dirty = useApp(selectDirty);
  const filePath = useApp((s) => s.filePath);
  const busy = useApp((s) => isTraining(s.training.status));
  const status = useApp((s) => s.training.status);
  const runId = useApp((s) => s.training.runId);
  const backend = useApp((s) => s.backend);
  const info = useApp((s) => s.info);
  const analysis = useApp((s) => s.analysis);
  // Faults of the graph as a whole (no bottleneck, no output) first: they are usually the cause of the rest.
  const errors = useMemo(
    () => analysis.diagnostics.filter((d) => d.severity === 'error').sort((a, b) => Number(a.nodeId !== undefined) - Number(b.nodeId !== undefined)),
    [analysis],
  );
  const firstError = errors[0];
  const trainBlocked = firstError ? `Fix the graph first: ${firstError.message}` : !info ? 'Connecting to the backend…' : null;

  return (
    <header className="toolbar">
      <div className="brand">
        <img src="./icon.svg" alt="" width={22} height={22} />
        <span>Bottleneck</span>
      </div>
      <ViewTabs />
      {view === 'editor' && (
        <>
      <div className="toolbar__group" role="group" aria-label="File">
        <CommandButton id="new" />
        <CommandButton id="open" />
        <CommandButton id="save" />
        <CommandButton id="save-as" />
      </div>
      <div className="toolbar__group" role="group" aria-label="Edit">
        <CommandButton id="undo" label="↶" className="btn btn--ghost btn--icon" />
        <CommandButton id="redo" label="↷" className="btn btn--ghost btn--icon" />
        <TemplateMenu disabled={busy} />
        <CommandButton id="layout" label="Layout" />
        <CommandButton id="mirror" />
      </div>
      <DatasetButton disabled={busy} />
      <div className="toolbar__title" title={filePath ?? 'not saved yet'} data-testid="graph-title">
        {name}
        {dirty && (
          <span className="dirty" data-testid="dirty-marker" title="Unsaved changes">
            {' '}
            •
          </span>
        )}
      </div>
        </>
      )}
      <div className="toolbar__spacer" />
      {view === 'editor' && firstError && (
        <button
          type="button"
          className="toolbar__blocked"
          data-testid="train-blocked"
          title={firstError.nodeId ? `${firstError.message} (click to select the block)` : firstError.message}
          onClick={() => firstError.nodeId && useApp.getState().setSelection({ nodes: [firstError.nodeId], edges: [] })}
        >
          <b>
            {errors.length} error{errors.length === 1 ? '' : 's'}
          </b>
          <span className="toolbar__blocked-message">: {firstError.message}</span>
        </button>
      )}
      <span className="badge" data-testid="backend-badge" title={backend?.skipped.map((s) => `${s.name}: ${s.reason}`).join('\n') ?? ''}>
        {backend ? `backend: ${backend.name}` : 'backend: starting…'}
      </span>
      {view === 'editor' && status === 'running' && (
        <button type="button" className="btn" data-testid="train-pause" disabled={!runId} title="Pause after the current batch, keeping the model in memory" onClick={() => void useApp.getState().pauseTraining()}>
          Pause
        </button>
      )}
      {view === 'editor' && status === 'paused' && (
        <button type="button" className="btn btn--primary" data-testid="train-resume" onClick={() => void useApp.getState().resumeTraining()}>
          Resume
        </button>
      )}
      {view === 'runs' ? null : busy ? (
        <button type="button" className="btn btn--stop" data-testid="train-stop" disabled={status === 'stopping' || !runId} title={`Stop after the current batch (${shortcutLabel('Escape')})`} onClick={() => void useApp.getState().stopTraining()}>
          {status === 'stopping' ? 'Stopping…' : 'Stop'}
        </button>
      ) : (
        <button
          type="button"
          className="btn btn--primary"
          data-testid="train-start"
          disabled={trainBlocked !== null}
          title={trainBlocked ?? `Train (${shortcutLabel('Mod+Enter')})`}
          onClick={() => void useApp.getState().startTraining()}
        >
          Train
        </button>
      )}
    </header>
  );
}
