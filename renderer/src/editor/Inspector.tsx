import { useEffect, useState } from 'react';
import { blockSpec, withDefaults } from '../../../core/blocks/registry';
import { OPTIMIZERS } from '../../../core/graph/types';
import { errorsFor, notesFor } from '../../../core/shapes/infer';
import { isTraining, selectSelectedNode, useApp } from '../store/store';

interface NumberFieldProps {
  name: string;
  value: unknown;
  min: number;
  max: number;
  integer: boolean;
  onCommit: (v: number) => void;
  disabled: boolean;
}

/** Commits on Enter or blur; a value out of bounds is refused with the reason, and nothing changes. */
function NumberField({ name, value, min, max, integer, onCommit, disabled }: NumberFieldProps) {
  const [text, setText] = useState(String(value));
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    setText(String(value));
    setProblem(null);
  }, [value]);
  const commit = () => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) setProblem('enter a number');
    else if (integer && !Number.isInteger(n)) setProblem('enter a whole number');
    else if (n < min || n > max) setProblem(`between ${min} and ${max}`);
    else {
      setProblem(null);
      if (n !== value) onCommit(n);
      return;
    }
  };
  return (
    <>
      <input
        type="number"
        className={`field__input${problem ? ' field__input--bad' : ''}`}
        data-testid={`param-${name}`}
        min={min}
        max={max}
        step={integer ? 1 : 'any'}
        value={text}
        disabled={disabled}
        aria-invalid={problem !== null}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') setText(String(value));
        }}
      />
      {problem && <span className="field__problem" role="alert">{problem}</span>}
    </>
  );
}

function TextField({ name, value, onCommit, disabled, parse }: { name: string; value: string; onCommit: (v: string) => void; disabled: boolean; parse?: (v: string) => string | null }) {
  const [text, setText] = useState(value);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => setText(value), [value]);
  const commit = () => {
    const bad = parse?.(text) ?? null;
    setProblem(bad);
    if (!bad && text !== value) onCommit(text);
  };
  return (
    <>
      <input className="field__input" data-testid={`param-${name}`} value={text} disabled={disabled} onChange={(e) => setText(e.target.value)} onBlur={commit} onKeyDown={(e) => e.key === 'Enter' && commit()} />
      {problem && <span className="field__problem" role="alert">{problem}</span>}
    </>
  );
}

const parseShape = (text: string) => text.split(/[x×,\s]+/).filter(Boolean).map(Number);

const TRAINING_FIELDS = [
  { name: 'epochs', label: 'Epochs', min: 1, max: 10_000, integer: true },
  { name: 'batchSize', label: 'Batch size', min: 1, max: 65_536, integer: true },
  { name: 'learningRate', label: 'Learning rate', min: 1e-8, max: 10, integer: false },
  { name: 'seed', label: 'Seed', min: 0, max: 2 ** 31 - 1, integer: true },
  { name: 'earlyStoppingPatience', label: 'Patience (0: off)', min: 0, max: 1000, integer: true },
  { name: 'refreshEvery', label: 'Refresh plots every', min: 1, max: 1000, integer: true },
] as const;

export function Inspector() {
  const doc = useApp((s) => s.doc);
  const analysis = useApp((s) => s.analysis);
  const node = useApp(selectSelectedNode);
  const selectedCount = useApp((s) => s.selection.nodes.length);
  const busy = useApp((s) => isTraining(s.training.status));
  const { setParam, setTraining, rename } = useApp.getState();

  if (!node) {
    return (
      <aside className="card inspector" data-testid="inspector">
        <h2 className="card__title">{selectedCount > 1 ? `${selectedCount} blocks selected` : 'Graph'}</h2>
        <label className="field">
          <span className="field__label">Name</span>
          <TextField name="graph-name" value={doc.name} disabled={busy} onCommit={rename} />
        </label>
        <div className="field-grid">
          {TRAINING_FIELDS.map((f) => (
            <label key={f.name} className="field">
              <span className="field__label">{f.label}</span>
              <NumberField {...f} value={doc.training[f.name]} disabled={busy} onCommit={(v) => setTraining({ [f.name]: v })} />
            </label>
          ))}
        </div>
        <div className="field-grid">
          <label className="field">
            <span className="field__label">Optimizer</span>
            <select className="field__input" data-testid="param-optimizer" value={doc.training.optimizer} disabled={busy} onChange={(e) => setTraining({ optimizer: e.target.value as (typeof OPTIMIZERS)[number] })}>
              {OPTIMIZERS.map((o) => (
                <option key={o} value={o}>
                  {o === 'sgd' ? 'SGD' : o === 'rmsprop' ? 'RMSprop' : 'Adam'}
                </option>
              ))}
            </select>
          </label>
          {doc.training.optimizer === 'sgd' && (
            <label className="field">
              <span className="field__label">Momentum</span>
              <NumberField name="momentum" min={0} max={0.999} integer={false} value={doc.training.momentum} disabled={busy} onCommit={(v) => setTraining({ momentum: v })} />
            </label>
          )}
        </div>
        <p className="muted small">Select a block to edit it.</p>
      </aside>
    );
  }
  const spec = blockSpec(node.kind);
  const params = withDefaults(node.kind, node.params);
  const errors = errorsFor(analysis, node.id);
  const notes = notesFor(analysis, node.id);
  return (
    <aside className="card inspector" data-testid="inspector">
      <h2 className="card__title">
        {spec.label} <span className="muted">{node.id}</span>
      </h2>
      {spec.fields.length === 0 && <p className="muted">{spec.description}</p>}
      <div className="field-grid">
        {spec.fields
          .filter((f) => !f.visible || f.visible(params))
          .map((field) => (
            <label key={field.name} className="field" title={field.help}>
              <span className="field__label">{field.label}</span>
              {(field.type === 'int' || field.type === 'float') && (
                <NumberField name={field.name} min={field.min} max={field.max} integer={field.type === 'int'} value={params[field.name]} disabled={busy} onCommit={(v) => setParam(node.id, field.name, v)} />
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
              {field.type === 'shape' && (
                <TextField
                  name={field.name}
                  value={(params[field.name] as number[]).join('×')}
                  disabled={busy}
                  parse={(t) => (parseShape(t).every((d) => Number.isInteger(d) && d > 0) && parseShape(t).length >= 1 && parseShape(t).length <= 3 ? null : 'like 28×28×1')}
                  onCommit={(t) => setParam(node.id, field.name, parseShape(t))}
                />
              )}
            </label>
          ))}
      </div>
      <div className="inspector__stats">
        <span>out {analysis.nodeShapes[node.id]?.join('×') ?? '?'}</span>
        <span>{(analysis.paramCounts[node.id] ?? 0).toLocaleString('en')} params</span>
      </div>
      {errors.map((e) => (
        <p key={e.message} className="inspector__error" role="alert">
          {e.message}
        </p>
      ))}
      {notes.map((n) => (
        <p key={n.message} className={`inspector__note inspector__note--${n.severity}`}>
          {n.message}
        </p>
      ))}
    </aside>
  );
}
