import { useEffect, useState } from 'react';
import { blockSpec, withDefaults } from '../../../core/blocks/registry';
import { errorsFor } from '../../../core/shapes/infer';
import { isTraining, useApp } from '../store/store';

interface NumberFieldProps {
  name: string;
  value: unknown;
  min: number;
  max: number;
  step: number | 'any';
  integer: boolean;
  onCommit: (v: number) => void;
  disabled: boolean;
}

/** Commits on Enter or blur; text that is not a number in bounds snaps back instead of breaking the graph. */
function NumberField({ name, value, min, max, step, integer, onCommit, disabled }: NumberFieldProps) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const commit = () => {
    const n = Number(text);
    if (text.trim() !== '' && Number.isFinite(n) && n >= min && n <= max && (!integer || Number.isInteger(n))) onCommit(n);
    else setText(String(value));
  };
  return (
    <input
      type="number"
      className="field__input"
      data-testid={`param-${name}`}
      min={min}
      max={max}
      step={step}
      value={text}
      disabled={disabled}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === 'Enter' && commit()}
    />
  );
}

const TRAINING_FIELDS = [
  { name: 'epochs', label: 'Epochs', min: 1, max: 10_000, step: 1, integer: true },
  { name: 'batchSize', label: 'Batch size', min: 1, max: 65_536, step: 1, integer: true },
  { name: 'learningRate', label: 'Learning rate', min: 1e-8, max: 10, step: 'any', integer: false },
  { name: 'seed', label: 'Seed', min: 0, max: 2 ** 31 - 1, step: 1, integer: true },
] as const;

export function Inspector() {
  const doc = useApp((s) => s.doc);
  const analysis = useApp((s) => s.analysis);
  const selectedNodeId = useApp((s) => s.selectedNodeId);
  const busy = useApp((s) => isTraining(s.training.status));
  const setParam = useApp((s) => s.setParam);
  const setTraining = useApp((s) => s.setTraining);
  const node = doc.nodes.find((n) => n.id === selectedNodeId);

  if (!node) {
    return (
      <aside className="card inspector" data-testid="inspector">
        <h2 className="card__title">Inspector</h2>
        <p className="muted">Select a block to edit it. Training settings:</p>
        <div className="field-grid">
          {TRAINING_FIELDS.map((f) => (
            <label key={f.name} className="field">
              <span className="field__label">{f.label}</span>
              <NumberField {...f} value={doc.training[f.name]} disabled={busy} onCommit={(v) => setTraining({ [f.name]: v })} />
            </label>
          ))}
        </div>
        <p className="muted small">Optimizer: Adam</p>
      </aside>
    );
  }
  const spec = blockSpec(node.kind);
  const params = withDefaults(node.kind, node.params);
  const errors = errorsFor(analysis, node.id);
  return (
    <aside className="card inspector" data-testid="inspector">
      <h2 className="card__title">
        {spec.label} <span className="muted">{node.id}</span>
      </h2>
      {spec.fields.length === 0 && <p className="muted">This block has no settings.</p>}
      {spec.fields.map((field) => (
        <label key={field.name} className="field">
          <span className="field__label">{field.label}</span>
          {field.type === 'int' && (
            <NumberField name={field.name} min={field.min} max={field.max} step={1} integer value={params[field.name]} disabled={busy} onCommit={(v) => setParam(node.id, field.name, v)} />
          )}
          {field.type === 'enum' && (
            <select className="field__input" data-testid={`param-${field.name}`} value={String(params[field.name])} disabled={busy} onChange={(e) => setParam(node.id, field.name, e.target.value)}>
              {field.options.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          )}
          {field.type === 'shape' && <span className="field__value">{(params[field.name] as number[]).join(' × ')}</span>}
        </label>
      ))}
      <div className="inspector__stats">
        <span>out {analysis.nodeShapes[node.id]?.join('×') ?? '?'}</span>
        <span>{(analysis.paramCounts[node.id] ?? 0).toLocaleString('en')} params</span>
      </div>
      {errors.map((e) => (
        <p key={e.message} className="inspector__error" role="alert">
          {e.message}
        </p>
      ))}
    </aside>
  );
}
