import { formatDuration } from '../../../core/format';
import { LatentScatter } from '../plots/LatentScatter';
import { LossChart } from '../plots/LossChart';
import { ReconGrid } from '../plots/ReconGrid';
import { useApp, useAppStore } from '../store/context';
import { isTraining } from '../store/store';
import type { TrainingState } from '../store/trainingReducer';
import { SkipReport } from './DatasetDialog';

const STATUS_TEXT: Record<string, string> = {
  idle: 'Ready to train',
  starting: 'Starting…',
  queued: 'Queued',
  running: 'Training',
  paused: 'Paused',
  stopping: 'Stopping after this batch…',
  finished: 'Finished',
  stopped: 'Stopped',
  failed: 'Failed',
  interrupted: 'Interrupted',
};

const PHASE_TEXT = { scanning: 'Scanning the folder', decoding: 'Decoding images', reading: 'Reading the cache' } as const;

function DatasetLoading({ loading }: { loading: NonNullable<TrainingState['loading']> }) {
  const share = loading.total > 0 ? loading.done / loading.total : 0;
  return (
    <div className="loading" data-testid="dataset-loading">
      <div className="loading__text">
        {PHASE_TEXT[loading.phase]}
        {loading.total > 0 && (
          <>
            : <b>{loading.done.toLocaleString('en')}</b> / {loading.total.toLocaleString('en')} files · {Math.round(loading.filesPerSec).toLocaleString('en')} files/s
          </>
        )}
        <span className="muted"> · Stop cancels</span>
      </div>
      <progress max={1} value={loading.total > 0 ? share : undefined} />
    </div>
  );
}

/** Which run the dashboard shows, so a reopened or finished run is never mistaken for the graph on screen. */
function RunLabel({ t }: { t: TrainingState }) {
  if (!t.runId) return <span className="run-label" data-testid="dashboard-run" />;
  return (
    <span className="run-label" data-testid="dashboard-run" title={`${t.runId}${t.backend ? ` · trained on ${t.backend}` : ''}`}>
      <span className="muted">{t.source === 'stored' ? 'Stored run' : 'Run'}</span> <b>{t.runName ?? t.runId}</b>
    </span>
  );
}

export function TrainingDashboard() {
  const store = useAppStore();
  const t = useApp((s) => s.training);
  const info = useApp((s) => s.info);
  const chosen = useApp((s) => s.dataset);
  const classNames = t.classNames.length ? t.classNames : (chosen?.classNames ?? info?.datasets[0]?.classNames ?? []);
  const lastVal = t.epochMetrics.val_loss?.at(-1)?.[1];
  const lastRate = t.epochMetrics.lr?.at(-1)?.[1];
  return (
    <>
      <section className="card card--wide" data-testid="dashboard-loss">
        <header className="card__header">
          <h2 className="card__title">Loss</h2>
          <RunLabel t={t} />
          <div className={`run-status run-status--${t.status}`} data-testid="train-status" data-status={t.status}>
            {isTraining(t.status) && <span className="pulse" aria-hidden />}
            {STATUS_TEXT[t.status]}
          </div>
        </header>
        <div className="stats" data-testid="train-stats">
          <span>
            epoch <b data-testid="stat-epoch">{t.epoch}</b>/{t.epochs || '–'}
          </span>
          <span title={t.threads > 1 ? `each batch is split across ${t.threads} threads` : undefined}>
            <b>{Math.round(t.samplesPerSec).toLocaleString('en')}</b> samples/s
            {t.threads > 1 && <span data-testid="stat-threads"> on {t.threads} threads</span>}
          </span>
          <span>
            <b>{t.runId ? formatDuration(t.elapsedMs) : '–'}</b> elapsed
          </span>
          <span>
            val loss <b data-testid="stat-val-loss">{lastVal === undefined ? '–' : lastVal.toFixed(4)}</b>
          </span>
          {lastRate !== undefined && (
            <span title="The learning rate of the last epoch's last step (the schedule's line is on the chart's right axis when it changes)">
              lr <b data-testid="stat-lr">{lastRate.toExponential(1)}</b>
            </span>
          )}
        </div>
        {t.loading && <DatasetLoading loading={t.loading} />}
        {t.dataset && t.dataset.skippedCount > 0 && (
          <details className="skipped" data-testid="run-skipped">
            <summary>
              {t.dataset.skippedCount} file{t.dataset.skippedCount === 1 ? '' : 's'} of {t.dataset.name} skipped
            </summary>
            <SkipReport skipped={t.dataset.skipped} total={t.dataset.skippedCount} />
          </details>
        )}
        <LossChart batchLoss={t.batchLoss} epochMetrics={t.epochMetrics} epochs={t.epochs || 5} />
        {t.message && (
          <p className={`run-message${t.status === 'failed' ? ' run-message--error' : ''}`} data-testid="run-message">
            {t.message}
          </p>
        )}
      </section>
      <section className="card card--recon" data-testid="dashboard-recon">
        <header className="card__header">
          <h2 className="card__title">Reconstructions</h2>
          <span className="muted" data-testid="recon-epoch">{t.recon && t.reconEpoch !== null ? `after epoch ${t.reconEpoch}` : ''}</span>
        </header>
        <ReconGrid recon={t.recon} classNames={classNames} />
      </section>
      <section className="card card--wide card--latent" data-testid="dashboard-latent">
        <header className="card__header">
          <h2 className="card__title">Latent space</h2>
          {t.runId && t.epochsDone > 0 && (
            <button type="button" className="btn btn--ghost btn--small" data-testid="dashboard-explore" title="Explore this run's latent space: hover, click, decode anywhere, interpolate, sample" onClick={() => void store.getState().openExplore(t.runId)}>
              Explore ›
            </button>
          )}
        </header>
        {/* On a line of its own: beside the title it would squeeze into a column at narrow widths. */}
        {t.latent && (
          <p className="card__facts muted" data-testid="latent-facts">
            {`${t.latent.x.length.toLocaleString('en')} validation images · ${t.latent.method === 'pca' ? 'PCA' : 'raw 2-D code'} · epoch ${t.latentEpoch ?? '–'}`}
          </p>
        )}
        <LatentScatter latent={t.latent} classNames={classNames} />
      </section>
    </>
  );
}
