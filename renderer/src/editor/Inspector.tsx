import { CommandButton } from '../panels/Toolbar';
import { useEffect, useRef, useState } from 'react';
import { blockSpec, withDefaults } from '../../../core/blocks/registry';
import { blockLabel } from '../../../core/runs/diff';
import { AUGMENTATION_BOUNDS, SCHEDULE_BOUNDS, TRAINING_BOUNDS, type SettingBounds } from '../../../core/graph/trainingBounds';
import { OPTIMIZERS, SCHEDULE_KINDS, type Augmentation, type LearningRateSchedule, type ScheduleKind } from '../../../core/graph/types';
import { blockRoles, errorsFor, notesFor } from '../../../core/shapes/infer';
import { useApp, useAppStore } from '../store/context';
import { selectSelectedNode } from '../store/store';
import { TemplateAbout } from './TemplateAbout';

/** Why a typed number is refused, or null when it can be applied. */
export function numberProblem(text: string, min: number, max: number, integer: boolean, exclusiveMin = false): string | null {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) return 'enter a number';
  if (integer && !Number.isInteger(n)) return 'enter a whole number';
  if (exclusiveMin ? n <= min || n > max : n < min || n > max) {
    return exclusiveMin ? `above ${min.toLocaleString('en')} and at most ${max.toLocaleString('en')}` : `between ${min.toLocaleString('en')} and ${max.toLocaleString('en')}`;
  }
  return null;
}

/** How long typing must pause before a complete, valid value is applied (Enter or leaving the field applies at once). */
export const APPLY_PAUSE_MS = 500;

interface DraftFieldProps {
  name: string;
  /** Identifies the field for undo: edits while it has focus are one undo step. */
  editKey: string;
  /** The value on the graph, as text. */
  shown: string;
  /** Why the text cannot be applied, or null. */
  problemOf: (text: string) => string | null;
  /** Applies a valid text (the caller reads its value). */
  onApply: (text: string, editKey: string) => void;
  inputMode?: 'numeric' | 'decimal' | 'text';
  /** The text one step up or down (Arrow keys), where the field steps. */
  step?: (direction: 1 | -1) => string | null;
}

/**
 * A field that checks as the user types (a refused value says why at once and changes nothing) and
 * applies a value once it is complete: on a pause in the typing, on Enter, or on leaving the field, so
 * the valid beginnings of a longer value ("1" of "1.5", "10000" of "100000000") never reach the graph.
 * Leaving with a refused value puts back the last applied one; Escape restores the one the field had
 * before. Everything applied while the field has focus is one undo step.
 */
function DraftField({ name, editKey, shown, problemOf, onApply, inputMode = 'text', step }: DraftFieldProps) {
  const store = useAppStore();
  const [text, setText] = useState(shown);
  const focused = useRef(false);
  const before = useRef(shown);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const cancelPending = () => {
    if (pending.current) clearTimeout(pending.current);
    pending.current = null;
  };
  useEffect(() => cancelPending, []);
  useEffect(() => {
    // Undo, redo or another view changed the value: show it, unless this field is being typed in.
    if (!focused.current) setText(shown);
  }, [shown]);
  const problem = problemOf(text);
  /** Applies the text if it is valid and differs from the graph's; says whether it was valid. */
  const commit = (typed: string): boolean => {
    cancelPending();
    if (problemOf(typed) !== null) return false;
    if (typed !== shown) onApply(typed, editKey);
    return true;
  };
  return (
    <>
      <input
        type="text"
        inputMode={inputMode}
        className={`field__input${problem ? ' field__input--bad' : ''}`}
        data-testid={`param-${name}`}
        value={text}
        aria-invalid={problem !== null}
        onFocus={() => {
          focused.current = true;
          before.current = shown;
        }}
        onChange={(e) => {
          const typed = e.target.value;
          setText(typed);
          cancelPending();
          if (problemOf(typed) === null) pending.current = setTimeout(() => commit(typed), APPLY_PAUSE_MS);
        }}
        onBlur={() => {
          focused.current = false;
          const applied = commit(text);
          store.getState().endEdit();
          if (!applied) setText(shown);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            commit(text);
            (e.target as HTMLInputElement).blur();
          } else if (e.key === 'Escape') {
            cancelPending();
            if (before.current !== shown) onApply(before.current, editKey);
            setText(before.current);
          } else if (step && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
            const next = step(e.key === 'ArrowUp' ? 1 : -1);
            if (next === null) return;
            e.preventDefault();
            setText(next);
            commit(next);
          }
        }}
      />
      {problem && (
        <span className="field__problem" role="alert" data-testid={`problem-${name}`}>
          {problem}
        </span>
      )}
    </>
  );
}

interface NumberFieldProps {
  name: string;
  editKey: string;
  value: unknown;
  min: number;
  max: number;
  integer: boolean;
  /** The value must be above `min` (a learning rate of 0 trains nothing). */
  exclusiveMin?: boolean;
  onApply: (v: number, editKey: string) => void;
}

/** A number within bounds; Arrow Up and Down step a whole number by one. */
function NumberField({ name, editKey, value, min, max, integer, exclusiveMin = false, onApply }: NumberFieldProps) {
  const step = (direction: 1 | -1) => {
    if (!integer || typeof value !== 'number') return null;
    return String(Math.min(max, Math.max(exclusiveMin ? min + 1 : min, value + direction)));
  };
  return (
    <DraftField
      name={name}
      editKey={editKey}
      shown={String(value)}
      problemOf={(t) => numberProblem(t, min, max, integer, exclusiveMin)}
      onApply={(t, key) => onApply(Number(t), key)}
      inputMode={integer ? 'numeric' : 'decimal'}
      step={step}
    />
  );
}

/** Text that must not be empty (and may have its own rule, like a shape). */
function TextField({ name, editKey, value, onApply, problemOf }: { name: string; editKey: string; value: string; onApply: (v: string, editKey: string) => void; problemOf?: (v: string) => string | null }) {
  return <DraftField name={name} editKey={editKey} shown={value} problemOf={(t) => (t.trim() ? (problemOf?.(t) ?? null) : 'enter a value')} onApply={onApply} />;
}

const parseShape = (text: string) => text.split(/[x×,\s]+/).filter(Boolean).map(Number);
const shapeProblem = (t: string) => {
  const dims = parseShape(t);
  return dims.length >= 1 && dims.length <= 3 && dims.every((d) => Number.isInteger(d) && d > 0) ? null : 'like 28×28×1';
};

/** The training settings the Inspector shows, with their labels, help and bounds from core (one source with the schema and the CLI). */
const TRAINING_FIELDS = (['epochs', 'batchSize', 'learningRate', 'seed', 'earlyStoppingPatience', 'refreshEvery'] as const).map((name) => {
  const b = TRAINING_BOUNDS[name];
  return { name, label: b.label, help: b.help, min: b.min, max: b.max, integer: b.integer, exclusiveMin: b.exclusiveMin ?? false };
});

const OPTIMIZER_LABELS: Record<(typeof OPTIMIZERS)[number], string> = { adam: 'Adam', sgd: 'SGD with momentum', rmsprop: 'RMSprop' };

type InspectorTab = 'block' | 'training';

/**
 * Two tabs, so the training settings are one click away at any window size: the selected block, and
 * the graph's name and training settings. Selecting a block shows it; clearing the selection shows training.
 */
export function Inspector() {
  const selectedId = useApp((s) => (s.selection.nodes.length === 1 ? s.selection.nodes[0]! : null));
  const [tab, setTab] = useState<InspectorTab>(selectedId ? 'block' : 'training');
  useEffect(() => setTab(selectedId ? 'block' : 'training'), [selectedId]);
  const tabs: [InspectorTab, string][] = [
    ['block', 'Block'],
    ['training', 'Training'],
  ];
  return (
    <aside className="card inspector" data-testid="inspector" data-tab={tab}>
      <div className="tabs inspector__tabs" role="tablist" aria-label="Inspector">
        {tabs.map(([id, label]) => (
          <button key={id} type="button" role="tab" aria-selected={tab === id} className={`tab${tab === id ? ' tab--on' : ''}`} data-testid={`inspector-tab-${id}`} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </div>
      <div className="inspector__body" role="tabpanel">
        {tab === 'block' ? <BlockSettings /> : <TrainingSettingsPanel />}
      </div>
    </aside>
  );
}

/** A number setting with its label, help and bounds from core (trainingBounds.ts). */
function BoundedField({ name, editKey, bounds, value, onApply }: { name: string; editKey: string; bounds: SettingBounds; value: number; onApply: (v: number, editKey: string) => void }) {
  return (
    <label className="field" title={bounds.help}>
      <span className="field__label">{bounds.label}</span>
      <NumberField name={name} editKey={editKey} min={bounds.min} max={bounds.max} integer={bounds.integer} exclusiveMin={bounds.exclusiveMin ?? false} value={value} onApply={onApply} />
    </label>
  );
}

const SCHEDULE_LABELS: Record<ScheduleKind, string> = { constant: 'Constant', step: 'Step', cosine: 'Cosine' };

const SCHEDULE_HELP: Record<ScheduleKind, string> = {
  constant: 'The learning rate stays as set (after any warm-up).',
  step: 'The learning rate is multiplied by the step factor every so many epochs: big steps early, fine ones late.',
  cosine: "The learning rate falls along a half cosine to the floor over the run's epochs. Continuing a run keeps its cosine's length: the added epochs train at the floor.",
};

/** The learning rate's schedule: its kind, the warm-up, and the kind's own settings; the dashboard draws the rate per epoch. */
function ScheduleSettings({ schedule, onChange }: { schedule: LearningRateSchedule; onChange: (patch: Partial<LearningRateSchedule>, editKey?: string) => void }) {
  const field = (name: keyof typeof SCHEDULE_BOUNDS) => (
    <BoundedField key={name} name={`schedule-${name}`} editKey={`training.schedule.${name}`} bounds={SCHEDULE_BOUNDS[name]} value={schedule[name]} onApply={(v, key) => onChange({ [name]: v }, key)} />
  );
  return (
    <fieldset className="inspector__group" data-testid="schedule-settings">
      <legend className="inspector__legend">Learning-rate schedule</legend>
      <div className="field-grid">
        <label className="field" title={SCHEDULE_HELP[schedule.kind]}>
          <span className="field__label">Schedule</span>
          <select className="field__input" data-testid="param-schedule-kind" value={schedule.kind} onChange={(e) => onChange({ kind: e.target.value as ScheduleKind })}>
            {SCHEDULE_KINDS.map((k) => (
              <option key={k} value={k}>
                {SCHEDULE_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
        {field('warmupEpochs')}
        {schedule.kind === 'step' && [field('stepEvery'), field('stepFactor')]}
        {schedule.kind === 'cosine' && [field('floor'), field('length')]}
      </div>
      <span className="field__help" data-testid="schedule-help">
        {SCHEDULE_HELP[schedule.kind]}
      </span>
    </fieldset>
  );
}

/** Train-time augmentation: what the model sees changes a little at every step; validation images never do. */
function AugmentationSettings({ augmentation, onChange }: { augmentation: Augmentation; onChange: (patch: Partial<Augmentation>, editKey?: string) => void }) {
  const flip = (name: 'horizontalFlip' | 'verticalFlip', label: string, help: string) => (
    <label className="field field--check" title={help}>
      <input type="checkbox" data-testid={`param-${name}`} checked={augmentation[name]} onChange={(e) => onChange({ [name]: e.target.checked })} /> {label}
    </label>
  );
  return (
    <fieldset className="inspector__group" data-testid="augmentation-settings">
      <legend className="inspector__legend">Augmentation (training only)</legend>
      <div className="field-grid">
        {flip('horizontalFlip', 'Flip left–right', 'Half the images are mirrored left to right: for subjects that look the same either way.')}
        {flip('verticalFlip', 'Flip upside down', 'Half the images are turned upside down: only for subjects with no up (textures, cells, satellite images).')}
        {(['shift', 'rotation', 'brightness'] as const).map((name) => (
          <BoundedField key={name} name={`augmentation-${name}`} editKey={`training.augmentation.${name}`} bounds={AUGMENTATION_BOUNDS[name]} value={augmentation[name]} onApply={(v, key) => onChange({ [name]: v }, key)} />
        ))}
      </div>
      <span className="field__help">Each training image changes a little at every step, drawn from the seed; validation images never do. It fights overfitting on small datasets; the dashboard shows the images as the model saw them.</span>
    </fieldset>
  );
}

/** The graph's name and how it trains. */
function TrainingSettingsPanel() {
  const store = useAppStore();
  const doc = useApp((s) => s.doc);
  const { setTraining, rename } = store.getState();
  return (
    <>
      <TemplateAbout />
      <div className="inspector__sweep">
        <span className="field__help">Try several values of any setting, a run each:</span>
        <CommandButton id="sweep" className="btn" testId="sweep-open" title="Train a run per value of the settings you choose: an experiment" />
      </div>
      <label className="field">
        <span className="field__label">Name</span>
        <TextField name="graph-name" editKey="graph.name" value={doc.name} onApply={(v, key) => rename(v, key)} />
      </label>
      <div className="field-grid">
        {TRAINING_FIELDS.map((f) => (
          <label key={f.name} className="field" title={f.help}>
            <span className="field__label">{f.label}</span>
            <NumberField name={f.name} editKey={`training.${f.name}`} min={f.min} max={f.max} integer={f.integer} exclusiveMin={f.exclusiveMin} value={doc.training[f.name]} onApply={(v, key) => setTraining({ [f.name]: v }, key)} />
          </label>
        ))}
        <label className="field" title="How the weights follow the gradient: Adam adapts the step per weight and is the usual choice.">
          <span className="field__label">Optimizer</span>
          <select className="field__input" data-testid="param-optimizer" value={doc.training.optimizer} onChange={(e) => setTraining({ optimizer: e.target.value as (typeof OPTIMIZERS)[number] })}>
            {OPTIMIZERS.map((o) => (
              <option key={o} value={o}>
                {OPTIMIZER_LABELS[o]}
              </option>
            ))}
          </select>
        </label>
        {doc.training.optimizer === 'sgd' && (
          <label className="field" title={TRAINING_BOUNDS.momentum.help}>
            <span className="field__label">{TRAINING_BOUNDS.momentum.label}</span>
            <NumberField name="momentum" editKey="training.momentum" min={TRAINING_BOUNDS.momentum.min} max={TRAINING_BOUNDS.momentum.max} integer={false} value={doc.training.momentum} onApply={(v, key) => setTraining({ momentum: v }, key)} />
          </label>
        )}
        <BoundedField name="weightDecay" editKey="training.weightDecay" bounds={TRAINING_BOUNDS.weightDecay} value={doc.training.weightDecay} onApply={(v, key) => setTraining({ weightDecay: v }, key)} />
      </div>
      <span className="field__help">{TRAINING_BOUNDS.weightDecay.help}</span>
      <ScheduleSettings schedule={doc.training.schedule} onChange={(patch, key) => setTraining({ schedule: { ...doc.training.schedule, ...patch } }, key)} />
      <AugmentationSettings augmentation={doc.training.augmentation} onChange={(patch, key) => setTraining({ augmentation: { ...doc.training.augmentation, ...patch } }, key)} />
    </>
  );
}

/** The selected block's settings, each with its one-line explanation across the panel's width. */
function BlockSettings() {
  const store = useAppStore();
  const doc = useApp((s) => s.doc);
  const analysis = useApp((s) => s.analysis);
  const node = useApp(selectSelectedNode);
  const selectedCount = useApp((s) => s.selection.nodes.length);
  const { setParam } = store.getState();
  if (!node) {
    return <p className="muted small">{selectedCount > 1 ? `${selectedCount} blocks selected: select one to edit it.` : 'Select a block on the canvas to edit it.'}</p>;
  }
  const spec = blockSpec(node.kind);
  const params = withDefaults(node.kind, node.params);
  const errors = errorsFor(analysis, node.id);
  const notes = notesFor(analysis, node.id);
  const role = blockRoles(doc)[node.id];
  return (
    <>
      <h2 className="card__title inspector__title" data-testid="inspector-title">
        {blockLabel(doc, node)} {role && role !== node.kind.toLowerCase() && <span className="muted">· {role}</span>}
      </h2>
      {role === 'branch' && <p className="inspector__note inspector__note--warning">A branch: it is off the path Input → Bottleneck → Output, so the model does not use what it computes.</p>}
      <p className="muted small inspector__about">{spec.description}</p>
      {spec.fields
        .filter((f) => !f.visible || f.visible(params))
        .map((field) => (
          <label key={field.name} className="field" title={field.help}>
            <span className="field__label">{field.label}</span>
            {(field.type === 'int' || field.type === 'float') && (
              <NumberField
                name={field.name}
                editKey={`${node.id}.${field.name}`}
                min={field.min}
                max={field.max}
                integer={field.type === 'int'}
                value={params[field.name]}
               
                onApply={(v, key) => setParam(node.id, field.name, v, key)}
              />
            )}
            {field.type === 'enum' && (
              <select className="field__input" data-testid={`param-${field.name}`} value={String(params[field.name])} onChange={(e) => setParam(node.id, field.name, e.target.value)}>
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
                editKey={`${node.id}.${field.name}`}
                value={(params[field.name] as number[]).join('×')}
               
                problemOf={shapeProblem}
                onApply={(t, key) => setParam(node.id, field.name, parseShape(t), key)}
              />
            )}
            {field.help && <span className="field__help">{field.help}</span>}
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
      {notes.map((n) => (
        <p key={n.message} className={`inspector__note inspector__note--${n.severity}`}>
          {n.message}
        </p>
      ))}
    </>
  );
}
