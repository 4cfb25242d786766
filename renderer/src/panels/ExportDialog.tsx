import { useEffect, useState } from 'react';
import { EXPORT_FORMATS, type CheckpointChoice, type ExportFormat } from '../../../core/api';
import { useApi, useApp, useAppStore } from '../store/context';
import { Modal } from './Dialogs';
import { FolderBrowser } from './FolderBrowser';
import { childPath, exportFolderName } from '../../../core/export/folderName';

const FORMATS: Record<ExportFormat, { label: string; what: string }> = {
  onnx: { label: 'ONNX', what: 'autoencoder.onnx, encoder.onnx and decoder.onnx (opset 17): for onnxruntime, TensorRT, OpenVINO and most serving tools.' },
  tfjs: { label: 'TensorFlow.js', what: 'The three models as tfjs Layers models (model.json + weights.bin): for the browser or Node.' },
  pytorch: { label: 'PyTorch project', what: 'model.py, the weights (.npz), and train.py to continue training on one machine or many with torchrun.' },
};

/** Export a run's model: the format, the weights, the folder; then where the files went. */
export function ExportDialog() {
  const store = useAppStore();
  const api = useApi();
  const exporting = useApp((s) => s.exporting);
  const info = useApp((s) => s.info);
  const [format, setFormat] = useState<ExportFormat>('onnx');
  const [checkpoint, setCheckpoint] = useState<CheckpointChoice>('best');
  const [path, setPath] = useState('');
  const [browsing, setBrowsing] = useState(false);
  // Another run starts from the defaults: its folder is not the last run's.
  useEffect(() => {
    setFormat('onnx');
    setCheckpoint('best');
    setPath('');
    setBrowsing(false);
  }, [exporting.runId]);
  if (!exporting.runId) return null;
  const close = () => store.getState().openExport(null);
  const desktop = info?.shell === 'electron';
  const result = exporting.result;
  return (
    <Modal title={`Export ${exporting.runName}`} onClose={close} testId="export-dialog" wide>
      <div className="export__formats" role="radiogroup" aria-label="Format">
        {EXPORT_FORMATS.map((f) => (
          <label key={f} className={`dataset-option export__format${format === f ? ' dataset-option--on' : ''}`} data-testid={`export-format-${f}`}>
            <input type="radio" name="export-format" value={f} checked={format === f} onChange={() => setFormat(f)} />
            <b>{FORMATS[f].label}</b>
            <span className="muted">{FORMATS[f].what}</span>
          </label>
        ))}
      </div>
      <div className="modal__row">
        <label className="field">
          <span className="field__label">Weights</span>
          <select value={checkpoint} data-testid="export-checkpoint" onChange={(e) => setCheckpoint(e.target.value as CheckpointChoice)}>
            <option value="best">best epoch (lowest validation loss)</option>
            <option value="last">last finished epoch</option>
          </select>
        </label>
      </div>
      <span className="field__label">Folder</span>
      <div className="modal__row">
        <input
          className="grow"
          type="text"
          value={path}
          spellCheck={false}
          placeholder={`a new or empty folder; empty: ${info?.workspace ?? 'the workspace'}/exports/…`}
          aria-label="Export folder"
          data-testid="export-path"
          onChange={(e) => setPath(e.target.value)}
        />
        {desktop ? (
          <button type="button" className="btn" onClick={() => void api.invoke('dialog:open-folder', {}).then((r) => r.path && setPath(r.path))}>
            Choose…
          </button>
        ) : (
          <button type="button" className="btn" data-testid="export-browse" aria-expanded={browsing} onClick={() => setBrowsing(!browsing)}>
            Browse…
          </button>
        )}
      </div>
      {browsing && (
        <FolderBrowser
          start={path.trim() || null}
          chooseLabel="New folder here"
          onChoose={(folder) => {
            // The export needs a new or empty folder: a new one inside the folder chosen, named after the run.
            setPath(childPath(folder, exportFolderName(exporting.runName, format)));
            setBrowsing(false);
          }}
        />
      )}
      {exporting.error && (
        <p className="field-error" role="alert" data-testid="export-error">
          {exporting.error}
        </p>
      )}
      {result && (
        <div className="export__result" data-testid="export-result">
          <p>
            Exported {result.files.length} files ({result.checkpoint} weights, epoch {result.epoch}) to{' '}
            <code className="export__dir" data-testid="export-dir">
              {result.dir}
            </code>{' '}
            <button type="button" className="link" onClick={() => void navigator.clipboard?.writeText(result.dir)}>
              copy path
            </button>
          </p>
          <ul className="export__files">
            {result.files.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="modal__actions">
        <button type="button" className="btn" disabled={exporting.busy} title={exporting.busy ? 'The files are being written' : undefined} onClick={close}>
          {result ? 'Close' : 'Cancel'}
        </button>
        <button type="button" className="btn btn--primary" data-testid="export-run" disabled={exporting.busy} onClick={() => void store.getState().exportModel({ format, checkpoint, path: path.trim() || null })}>
          {exporting.busy ? 'Exporting…' : 'Export'}
        </button>
      </div>
    </Modal>
  );
}
