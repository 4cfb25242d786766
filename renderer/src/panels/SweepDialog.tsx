import { useEffect, useMemo, useState } from 'react';
import type { ExperimentPreview } from '../../../core/api';
import { sweepableSettings } from '../../../core/experiments/settings';
import { formatDuration } from '../../../core/format';
import { useApp, useAppStore } from '../store/context';
import type { SweepRow } from '../store/experimentsSlice';
import { Modal } from './Dialogs';

/** The Design view's Sweep…: the settings to vary and their values, the run count and a time estimate, Start. */
export function SweepDialog() {
  const open = useApp((s) => s.sweepOpen);
  return open ? <SweepForm /> : null;
}

const SYNTAX = 'A list (2,4,8 or adam,sgd), a range (0.1..0.5:5) or a log range (1e-4..1e-2:log:5); classes join with + (0+1).';

function SweepForm() {
  const store = useAppStore();
  const doc = useApp((s) => s.doc);
  const suggestions = useMemo(() => sweepableSettings(doc), [doc]);
  const [rows, setRows] = useState<SweepRow[]>(() => [suggestions[0]?.path === 'bottleneck.units' ? { setting: 'bottleneck.units', values: '2,4,8,16' } : { setting: 'training.learningRate', values: '1e-4..1e-2:log:3' }]);
  const [random, setRandom] = useState<{ count: number; seed: number } | null>(null);
  const [preview, setPreview] = useState<ExperimentPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  // The plan follows the fields, checked by the backend as Start would check it.
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      void store
        .getState()
        .previewSweep({ rows, random })
        .then((result) => {
          if (!current) return;
          if ('error' in result) {
            setPreview(null);
            setError(result.error);
          } else {
            setPreview(result.preview);
            setError(null);
          }
        });
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [rows, random, store]);
  const close = () => store.getState().openSweep(false);
  const change = (i: number, patch: Partial<SweepRow>) => setRows((rs) => rs.map((r, k) => (k === i ? { ...r, ...patch } : r)));
  const start = async () => {
    setStarting(true);
    const failure = await store.getState().startSweep({ rows, random });
    setStarting(false);
    if (failure) setError(failure);
  };
  const count = preview?.runs.length ?? 0;
  return (
    <Modal title="Sweep: train a run per value" onClose={close} testId="sweep-dialog" wide>
      <datalist id="sweep-settings">
        {suggestions.map((s) => (
          <option key={s.path} value={s.path}>
            {s.label}
          </option>
        ))}
      </datalist>
      <div className="sweep-rows">
        {rows.map((row, i) => (
          <div className="sweep-row" key={i}>
            <label className="field">
              <span className="field__label">Setting</span>
              <input type="text" className="field__input" list="sweep-settings" data-testid={`sweep-setting-${i}`} value={row.setting} placeholder="bottleneck.units" onChange={(e) => change(i, { setting: e.target.value })} />
            </label>
            <label className="field sweep-row__values">
              <span className="field__label">Values</span>
              <input type="text" className="field__input" data-testid={`sweep-values-${i}`} value={row.values} placeholder="2,4,8,16" onChange={(e) => change(i, { values: e.target.value })} />
            </label>
            <button type="button" className="btn btn--ghost btn--icon sweep-row__remove" data-testid={`sweep-remove-${i}`} title="Vary this setting no more" disabled={rows.length === 1} onClick={() => setRows((rs) => rs.filter((_, k) => k !== i))}>
              ×
            </button>
          </div>
        ))}
      </div>
      <p className="field__help">{SYNTAX} Each combination of values is a run, trained one after another on the data chosen in Data ▾.</p>
      <button type="button" className="btn btn--ghost" data-testid="sweep-add" onClick={() => setRows((rs) => [...rs, { setting: '', values: '' }])}>
        + Another setting
      </button>
      <div className="sweep-random">
        <label className="sweep-random__field">
          <input type="checkbox" data-testid="sweep-random" checked={random !== null} onChange={(e) => setRandom(e.target.checked ? { count: 8, seed: 0 } : null)} /> Random search instead of every combination:
        </label>
        {random && (
          <>
            <label className="sweep-random__field">
              <input type="number" className="field__input" data-testid="sweep-random-count" min={1} max={500} value={random.count} onChange={(e) => setRandom({ ...random, count: Math.round(Number(e.target.value)) })} /> runs
            </label>
            <label className="sweep-random__field">
              seed <input type="number" className="field__input" data-testid="sweep-random-seed" min={0} value={random.seed} onChange={(e) => setRandom({ ...random, seed: Math.round(Number(e.target.value)) })} />
            </label>
            <span className="field__help">ranges may leave out the count (1e-4..1e-2:log): values are drawn from them</span>
          </>
        )}
      </div>
      {error ? (
        <p className="field-error" data-testid="sweep-error">
          {error}
        </p>
      ) : (
        <p className="sweep-plan" data-testid="sweep-plan">
          {preview ? `${count} run${count === 1 ? '' : 's'}${preview.estimateMs === null ? ' (no finished run yet to estimate the time from)' : `, about ${formatDuration(preview.estimateMs)} (${preview.estimateBasis})`}` : 'Planning…'}
        </p>
      )}
      <div className="modal__actions">
        <button type="button" className="btn" data-testid="sweep-cancel" onClick={close}>
          Cancel
        </button>
        <button type="button" className="btn btn--primary" data-testid="sweep-start" disabled={!preview || error !== null || starting} onClick={() => void start()}>
          {preview ? `Start ${count} run${count === 1 ? '' : 's'}` : 'Start'}
        </button>
      </div>
    </Modal>
  );
}
