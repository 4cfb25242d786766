import type { LatentProjection, ReconstructionGrid, TrainStartResult } from '../../../core/api';
import { hasErrors } from '../../../core/shapes/infer';
import type { TrainEvent } from '../../../core/train/events';
import type { SliceCreator } from './store';
import { IDLE_TRAINING, isTraining, reduceTraining, trainingFromRun, type TrainingState } from './trainingReducer';

export { IDLE_TRAINING, isTraining, type TrainingState, type TrainingStatus } from './trainingReducer';

export interface TrainingSlice {
  /** The run the dashboard shows: one this window started or continued, or a stored one reopened. */
  training: TrainingState;
  startTraining(): Promise<void>;
  stopTraining(): Promise<void>;
  pauseTraining(): Promise<void>;
  resumeTraining(): Promise<void>;
  /** The dashboard follows a run started elsewhere in this window (Continue in the Runs view). */
  followRun(result: TrainStartResult): void;
  /** Shows a stored run on the dashboard: its curves, last projection and reconstructions. */
  showRun(runId: string): Promise<void>;
  /** Forgets the run on the dashboard, unless one is training (a new graph has nothing to show). */
  clearDashboard(): void;
  handleEvent(event: TrainEvent): void;
  /** Asks the backend how the followed run stands (after a lost connection may have missed its end). */
  syncTraining(): Promise<void>;
}

const TERMINAL_STATUS = ['finished', 'stopped', 'failed', 'interrupted'];

export const createTrainingSlice: SliceCreator<TrainingSlice> = ({ api }) => (set, get) => {
  /**
   * Events that arrive while train:start has not answered yet: the reply says which run is ours, and
   * only that run's events are then applied. Any other run's events (another window, the CLI, a run
   * continued from the Runs view) never reach this dashboard.
   */
  let early: TrainEvent[] = [];
  const report = (what: string) => (err: unknown) => get().setNotice({ kind: 'error', text: `${what}: ${(err as Error).message}` });
  const follow = ({ runId, name, queuePosition }: TrainStartResult, base: TrainingState) => {
    const waiting = queuePosition > 0;
    let next: TrainingState = {
      ...base,
      runId,
      runName: name,
      source: 'live',
      status: waiting ? 'queued' : 'running',
      message: waiting ? `Queued: ${queuePosition} run${queuePosition === 1 ? '' : 's'} ahead of this one.` : null,
    };
    for (const event of early) if (event.runId === runId) next = reduceTraining(next, event);
    early = [];
    set({ training: next });
  };
  /** Sends a control request; a refusal or a failure reaches the user, and the dashboard goes back. */
  const control = async (channel: 'train:stop' | 'train:pause' | 'train:resume', verb: string) => {
    const { runId } = get().training;
    if (!runId) return;
    try {
      const result = await api.invoke(channel, { runId });
      const accepted = Object.values(result)[0] === true;
      if (!accepted) {
        get().setNotice({ kind: 'error', text: `Could not ${verb} run "${get().training.runName ?? runId}": it is not training any more.`, about: { runId } });
        await get().syncTraining();
      }
    } catch (err) {
      report(`Could not ${verb} the run`)(err);
      await get().syncTraining();
    }
  };

  const readStored = async (runId: string): Promise<TrainingState> => {
    const detail = await api.invoke('runs:detail', { runId });
    const lastLatent = detail.latentEpochs.at(-1);
    const lastSamples = detail.sampleEpochs.at(-1);
    const [latent, recon] = await Promise.all([
      lastLatent === undefined ? null : api.invoke('runs:latent', { runId, epoch: lastLatent }).catch((): LatentProjection | null => null),
      lastSamples === undefined ? null : api.invoke('runs:samples', { runId, epoch: lastSamples }).catch((): ReconstructionGrid | null => null),
    ]);
    return trainingFromRun(detail, latent, recon);
  };

  return {
    training: IDLE_TRAINING,

    startTraining: async () => {
      const { doc, analysis, training } = get();
      if (isTraining(training.status) || hasErrors(analysis)) return;
      const datasetId = get().dataset?.id;
      if (!datasetId) {
        get().setNotice({ kind: 'error', text: 'No dataset is available yet.' });
        return;
      }
      early = [];
      set({ training: { ...IDLE_TRAINING, status: 'starting', epochs: doc.training.epochs, source: 'live' } });
      try {
        follow(await api.invoke('train:start', { graph: doc, datasetId }), get().training);
      } catch (err) {
        early = [];
        set({ training: { ...IDLE_TRAINING, status: 'failed', message: (err as Error).message } });
        get().setNotice({ kind: 'error', text: `Could not start training: ${(err as Error).message}` });
      }
    },
    stopTraining: async () => {
      const { training } = get();
      if (!training.runId || !['queued', 'running', 'paused'].includes(training.status)) return;
      set({ training: { ...training, status: 'stopping' } });
      await control('train:stop', 'stop');
    },
    pauseTraining: async () => {
      if (get().training.status === 'running') await control('train:pause', 'pause');
    },
    resumeTraining: async () => {
      if (get().training.status === 'paused') await control('train:resume', 'resume');
    },
    followRun: (result) => {
      if (isTraining(get().training.status)) return;
      early = [];
      follow(result, { ...IDLE_TRAINING, source: 'live' });
    },
    showRun: async (runId) => {
      if (isTraining(get().training.status)) return;
      try {
        const stored = await readStored(runId);
        if (!isTraining(get().training.status)) set({ training: stored });
      } catch (err) {
        report(`Could not read run ${runId}`)(err);
      }
    },
    clearDashboard: () => {
      if (!isTraining(get().training.status)) set({ training: IDLE_TRAINING });
    },
    handleEvent: (event) => {
      const t = get().training;
      if (t.runId === null) {
        if (t.status === 'starting') early.push(event);
        return;
      }
      if (event.runId !== t.runId || t.source !== 'live') return;
      const next = reduceTraining(t, event);
      set({ training: next });
      if (event.type === 'run-failed') get().setNotice({ kind: 'error', text: `Training failed: ${event.message}`, about: { runId: event.runId } });
    },
    syncTraining: async () => {
      const t = get().training;
      if (!t.runId || t.source !== 'live' || !isTraining(t.status)) return;
      try {
        const { summary } = await api.invoke('runs:detail', { runId: t.runId });
        if (!TERMINAL_STATUS.includes(summary.status)) {
          // Still going: the status may have moved on (paused elsewhere, or started from the queue).
          const status = summary.status === 'queued' || summary.status === 'paused' ? summary.status : t.status === 'stopping' ? 'stopping' : 'running';
          set({ training: { ...get().training, status } });
          return;
        }
        // It ended while events could not arrive: show the stored run as it ended.
        set({ training: await readStored(t.runId) });
      } catch (err) {
        report('Could not read the state of the run')(err);
      }
    },
  };
};
