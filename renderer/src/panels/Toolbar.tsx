import { useRef } from 'react';
import { serializeGraph } from '../../../core/graph/schema';
import { hasErrors } from '../../../core/shapes/infer';
import { TEMPLATES, TEMPLATE_NAMES } from '../../../core/templates';
import { isTraining, useApp } from '../store/store';

export function Toolbar() {
  const doc = useApp((s) => s.doc);
  const analysis = useApp((s) => s.analysis);
  const training = useApp((s) => s.training);
  const backend = useApp((s) => s.backend);
  const info = useApp((s) => s.info);
  const { loadTemplate, openGraphText, startTraining, stopTraining } = useApp.getState();
  const fileInput = useRef<HTMLInputElement>(null);
  const busy = isTraining(training.status);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  const firstError = errors[0];
  const trainBlocked = firstError ? `Fix the graph first: ${firstError.message}` : !info ? 'Connecting to the backend…' : null;

  const save = () => {
    const blob = new Blob([serializeGraph(doc)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${doc.name.replace(/[^\w.-]+/g, '-').toLowerCase() || 'graph'}.bottleneck.json`;
    a.click();
    URL.revokeObjectURL(a.href);
  };

  return (
    <header className="toolbar">
      <div className="brand">
        <img src="./icon.svg" alt="" width={24} height={24} />
        <span>Bottleneck</span>
      </div>
      <div className="toolbar__group" role="group" aria-label="Templates">
        {TEMPLATE_NAMES.map((name) => (
          <button key={name} type="button" className="btn btn--ghost" data-testid={`template-${name}`} title={TEMPLATES[name].description} disabled={busy} onClick={() => loadTemplate(name)}>
            {TEMPLATES[name].label}
          </button>
        ))}
      </div>
      <div className="toolbar__group" role="group" aria-label="File">
        <button type="button" className="btn btn--ghost" data-testid="graph-open" disabled={busy} onClick={() => fileInput.current?.click()}>
          Open…
        </button>
        <button type="button" className="btn btn--ghost" data-testid="graph-save" onClick={save}>
          Save
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="graph-file-input"
          onChange={async (e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) openGraphText(file.name, await file.text());
          }}
        />
      </div>
      <div className="toolbar__title" title={doc.name}>
        {doc.name}
      </div>
      <div className="toolbar__spacer" />
      {firstError && (
        <span className="toolbar__blocked" data-testid="train-blocked" title={firstError.message}>
          {errors.length} error{errors.length === 1 ? '' : 's'}: {firstError.message}
        </span>
      )}
      <span className="badge" data-testid="backend-badge" title={backend?.skipped.map((s) => `${s.name}: ${s.reason}`).join('\n') ?? ''}>
        {backend ? `backend: ${backend.name}` : 'backend: starting…'}
      </span>
      {busy ? (
        <button type="button" className="btn btn--stop" data-testid="train-stop" disabled={training.status === 'stopping' || !training.runId} onClick={() => void stopTraining()}>
          {training.status === 'stopping' ? 'Stopping…' : 'Stop'}
        </button>
      ) : (
        <button
          type="button"
          className="btn btn--primary"
          data-testid="train-start"
          disabled={hasErrors(analysis) || !info}
          title={trainBlocked ?? `Train ${doc.training.epochs} epochs on ${info?.datasets[0]?.name ?? 'the dataset'}`}
          onClick={() => void startTraining()}
        >
          Train
        </button>
      )}
    </header>
  );
}
