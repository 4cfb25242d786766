import { create } from 'zustand';
import type { AppInfo, BackendInfo } from '../../../core/api';
import { GraphFileError, parseGraphText } from '../../../core/graph/schema';
import type { GraphDoc, TrainingSettings, XY } from '../../../core/graph/types';
import { analyzeGraph, hasErrors, type GraphAnalysis } from '../../../core/shapes/infer';
import { buildTemplate, type TemplateName } from '../../../core/templates';
import type { LatentProjection, ReconstructionGrid, TrainEvent } from '../../../core/train/events';
import { getApi } from '../api/client';

export type TrainingStatus = 'idle' | 'starting' | 'running' | 'stopping' | 'finished' | 'stopped' | 'failed';

export interface TrainingState {
  runId: string | null;
  status: TrainingStatus;
  epochs: number;
  epoch: number;
  stepsPerEpoch: number;
  /** [fractional epoch, loss] per throttled batch-end. */
  batchLoss: [number, number][];
  /** [epoch, loss] per epoch-end. */
  valLoss: [number, number][];
  trainLoss: [number, number][];
  samplesPerSec: number;
  elapsedMs: number;
  classNames: string[];
  latent: LatentProjection | null;
  recon: ReconstructionGrid | null;
  message: string | null;
}

export interface Notice {
  kind: 'error' | 'info';
  text: string;
}

export interface AppState {
  info: AppInfo | null;
  backend: BackendInfo | null;
  doc: GraphDoc;
  analysis: GraphAnalysis;
  selectedNodeId: string | null;
  notice: Notice | null;
  training: TrainingState;

  setInfo(info: AppInfo): void;
  loadTemplate(name: TemplateName): void;
  loadDoc(doc: GraphDoc): void;
  openGraphText(fileName: string, text: string): boolean;
  moveNode(id: string, position: XY): void;
  setParam(id: string, name: string, value: unknown): void;
  setTraining(patch: Partial<TrainingSettings>): void;
  select(id: string | null): void;
  setNotice(notice: Notice | null): void;
  startTraining(): Promise<void>;
  stopTraining(): Promise<void>;
  handleEvent(event: TrainEvent): void;
}

const IDLE: TrainingState = {
  runId: null,
  status: 'idle',
  epochs: 0,
  epoch: 0,
  stepsPerEpoch: 1,
  batchLoss: [],
  valLoss: [],
  trainLoss: [],
  samplesPerSec: 0,
  elapsedMs: 0,
  classNames: [],
  latent: null,
  recon: null,
  message: null,
};

export const isTraining = (s: TrainingStatus) => s === 'starting' || s === 'running' || s === 'stopping';

const initialDoc = buildTemplate('undercomplete');

export const useApp = create<AppState>()((set, get) => {
  const setDoc = (doc: GraphDoc) => set({ doc, analysis: analyzeGraph(doc) });
  const datasetImage = () => {
    const ds = get().info?.datasets[0];
    return ds ? { height: ds.height, width: ds.width, channels: ds.channels } : undefined;
  };
  return {
    info: null,
    backend: null,
    doc: initialDoc,
    analysis: analyzeGraph(initialDoc),
    selectedNodeId: null,
    notice: null,
    training: IDLE,

    setInfo: (info) => set({ info, backend: info.backend ?? get().backend }),
    loadTemplate: (name) => {
      setDoc(buildTemplate(name, datasetImage()));
      set({ selectedNodeId: null });
    },
    loadDoc: (doc) => {
      setDoc(doc);
      set({ selectedNodeId: null });
    },
    openGraphText: (fileName, text) => {
      try {
        const doc = parseGraphText(text);
        get().loadDoc(doc);
        set({ notice: { kind: 'info', text: `Opened ${fileName}` } });
        return true;
      } catch (err) {
        const reason = err instanceof GraphFileError ? err.message : String(err);
        // The current graph stays as it was.
        set({ notice: { kind: 'error', text: `Could not open ${fileName}: ${reason}` } });
        return false;
      }
    },
    moveNode: (id, position) => {
      const { doc } = get();
      set({ doc: { ...doc, nodes: doc.nodes.map((n) => (n.id === id ? { ...n, position } : n)) } });
    },
    setParam: (id, name, value) => {
      const { doc } = get();
      setDoc({ ...doc, nodes: doc.nodes.map((n) => (n.id === id ? { ...n, params: { ...n.params, [name]: value } } : n)) });
    },
    setTraining: (patch) => {
      const { doc } = get();
      set({ doc: { ...doc, training: { ...doc.training, ...patch } } });
    },
    select: (id) => set({ selectedNodeId: id }),
    setNotice: (notice) => set({ notice }),

    startTraining: async () => {
      const { doc, analysis, info, training } = get();
      if (isTraining(training.status) || hasErrors(analysis)) return;
      const datasetId = info?.datasets[0]?.id;
      if (!datasetId) {
        set({ notice: { kind: 'error', text: 'No dataset is available yet.' } });
        return;
      }
      set({ training: { ...IDLE, status: 'starting', epochs: doc.training.epochs } });
      try {
        const { runId } = await getApi().invoke('train:start', { graph: doc, datasetId });
        set((s) => ({ training: { ...s.training, runId, status: s.training.status === 'starting' ? 'running' : s.training.status } }));
      } catch (err) {
        set({ training: { ...IDLE, status: 'failed', message: (err as Error).message }, notice: { kind: 'error', text: (err as Error).message } });
      }
    },
    stopTraining: async () => {
      const { training } = get();
      if (!training.runId || !isTraining(training.status)) return;
      set({ training: { ...training, status: 'stopping' } });
      await getApi().invoke('train:stop', { runId: training.runId });
    },
    handleEvent: (event) => {
      const t = get().training;
      // Events of a run this window did not start (another tab, the CLI) are not drawn here.
      if (t.runId !== null && event.runId !== t.runId) return;
      if (t.runId === null && t.status !== 'starting') return;
      const next: TrainingState = { ...t, runId: event.runId };
      switch (event.type) {
        case 'run-started':
          Object.assign(next, { epochs: event.epochs, stepsPerEpoch: event.stepsPerEpoch, classNames: event.classNames, status: t.status === 'stopping' ? 'stopping' : 'running' });
          break;
        case 'batch-end':
          next.batchLoss = [...t.batchLoss, [event.epoch - 1 + event.batch / t.stepsPerEpoch, event.loss]];
          Object.assign(next, { epoch: event.epoch, samplesPerSec: event.samplesPerSec, elapsedMs: event.elapsedMs });
          break;
        case 'epoch-end':
          next.valLoss = [...t.valLoss, [event.epoch, event.val_loss]];
          next.trainLoss = [...t.trainLoss, [event.epoch, event.loss]];
          Object.assign(next, { epoch: event.epoch, samplesPerSec: event.samplesPerSec, elapsedMs: event.elapsedMs, latent: event.latent, recon: event.recon });
          break;
        case 'run-finished':
          Object.assign(next, { status: 'finished', elapsedMs: event.elapsedMs, message: `Finished ${event.epochs} epochs: validation loss ${event.val_loss.toFixed(4)}` });
          break;
        case 'run-stopped':
          Object.assign(next, { status: 'stopped', epoch: event.epochs, elapsedMs: event.elapsedMs, message: `Stopped after ${event.epochs} finished epoch${event.epochs === 1 ? '' : 's'}; they are saved.` });
          break;
        case 'run-failed':
          next.status = 'failed';
          next.message = event.message;
          set({ notice: { kind: 'error', text: `Training failed: ${event.message}` } });
          break;
      }
      set({ training: next });
    },
  };
});
