import type { LatentProjection, ReconstructionGrid, TrainStartResult } from '../../../core/api';
import { hasErrors } from '../../../core/shapes/infer';
import type { GraphDoc } from '../../../core/graph/types';
import { isTerminal, type TrainEvent } from '../../../core/train/events';
import type { SliceCreator } from './store';
import { IDLE_TRAINING, isTraining, reduceTraining, trainingFromRun, type TrainingState } from './trainingReducer';

export { IDLE_TRAINING, isTraining, type TrainingState, type TrainingStatus } from './trainingReducer';

export interface TrainingSlice {
  /** The run the dashboard shows: one this window started or continued, or a stored one reopened. */
  training: TrainingState;
  /** Runs this window queued behind the one training, in order: the dashboard turns to each as the one before ends. */
  queued: TrainStartResult[];
  /** The graph as sent with the run the dashboard follows live (the canvas may have changed since). */
  trainedDoc: GraphDoc | null;
  /** Takes a queued run out of the queue. */
  unqueue(runId: string): Promise<void>;
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

/**
 * While a run this window follows trains, what the canvas holds: the graph training, a copy changed
 * since Train, or the graph last queued; null when nothing trains. (A string, so components re-render
 * only when it changes.)
 */
export function selectCanvasVersusRun(s: Pick<TrainingSlice, 'training' | 'queued' | 'trainedDoc'> & { doc: GraphDoc }): 'training' | 'edited' | 'queued' | null {
  const t = s.training;
  if (t.source !== 'live' || !isTraining(t.status) || !t.runId) return null;
  if (s.doc === s.trainedDoc) return 'training';
  return s.queued.length && s.doc === queuedDocs.get(s.queued.at(-1)!) ? 'queued' : 'edited';
}

/** The graph each queued run was sent with (by its start result). */
const queuedDocs = new WeakMap<TrainStartResult, GraphDoc>();

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

  /** While a run trains, Train sends the graph on screen too: the backend queues it, and so does this window. */
  const enqueue = async (doc: GraphDoc, datasetId: string) => {
    try {
      const result = await api.invoke('train:start', { graph: doc, datasetId });
      queuedDocs.set(result, doc);
      set({ queued: [...get().queued, result] });
      const current = get().training;
      get().setNotice({ kind: 'info', text: `Queued "${result.name}": it trains when "${current.runName ?? current.runId}" ends.` });
    } catch (err) {
      get().setNotice({ kind: 'error', text: `Could not queue the run: ${(err as Error).message}` });
    }
  };
  /** The run followed ended: the dashboard turns to the next one this window queued. */
  const followNextQueued = () => {
    const [next, ...rest] = get().queued;
    if (!next) return;
    set({ queued: rest, trainedDoc: queuedDocs.get(next) ?? null });
    early = [];
    follow({ ...next, queuePosition: Math.max(1, next.queuePosition) }, { ...IDLE_TRAINING, source: 'live' });
  };

  return {
    training: IDLE_TRAINING,
    queued: [],
    trainedDoc: null,

    startTraining: async () => {
      const { doc, analysis, training } = get();
      if (hasErrors(analysis) || training.status === 'starting') return;
      const datasetId = get().dataset?.id;
      if (!datasetId) {
        get().setNotice({ kind: 'error', text: 'No dataset is available yet.' });
        return;
      }
      if (isTraining(training.status)) {
        await enqueue(doc, datasetId);
        return;
      }
      early = [];
      set({ training: { ...IDLE_TRAINING, status: 'starting', epochs: doc.training.epochs, source: 'live' }, trainedDoc: doc });
      try {
        follow(await api.invoke('train:start', { graph: doc, datasetId }), get().training);
      } catch (err) {
        early = [];
        set({ training: { ...IDLE_TRAINING, status: 'failed', message: (err as Error).message }, trainedDoc: null });
        get().setNotice({ kind: 'error', text: `Could not start training: ${(err as Error).message}` });
      }
    },
    unqueue: async (runId) => {
      try {
        await api.invoke('train:stop', { runId });
        set({ queued: get().queued.filter((r) => r.runId !== runId) });
      } catch (err) {
        report('Could not take the run out of the queue')(err);
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
      if (event.runId !== t.runId || t.source !== 'live') {
        // A run this window queued was stopped elsewhere (the Runs view): it leaves the queue.
        if (isTerminal(event)) set({ queued: get().queued.filter((r) => r.runId !== event.runId) });
        return;
      }
      const next = reduceTraining(t, event);
      set({ training: next });
      if (event.type === 'run-failed') get().setNotice({ kind: 'error', text: `Training failed: ${event.message}`, about: { runId: event.runId } });
      if (isTerminal(event)) followNextQueued();
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
