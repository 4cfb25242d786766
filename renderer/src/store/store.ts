import { createStore, type StateCreator, type StoreApi } from 'zustand';
import type { ApiEvent, AppInfo, BackendInfo, BackendPreference, BottleneckApi } from '../../../core/api';
import { gpuFallback } from '../../../core/backendChoice';
import { isTerminal } from '../../../core/train/events';
import { hasErrors } from '../../../core/shapes/infer';
import { command } from '../commands';
import { paceTrainEvents } from './eventPacer';
import { createDatasetSlice, type DatasetSlice } from './datasetSlice';
import { createExploreSlice, type ExploreSlice } from './exploreSlice';
import { createScoreSlice, type ScoreSlice } from './scoreSlice';
import { createLabSlice, type LabSlice } from './labSlice';
import { createCompareSlice, type CompareSlice } from './compareSlice';
import { createExportSlice, type ExportSlice } from './exportSlice';
import { createGraphSlice, type GraphSlice } from './graphSlice';
import { createRunsSlice, type RunsSlice, type View } from './runsSlice';
import { createTrainingSlice, type TrainingSlice } from './trainingSlice';
import { createWorkspaceSlice, type WorkspaceSlice } from './workspaceSlice';
import { createExperimentsSlice, type ExperimentsSlice } from './experimentsSlice';
import { noticeLifetime, outlived, type Notice, type NoticeWorld } from './notices';
import { storeGraph } from './restore';

export { isTraining, type TrainingStatus } from './trainingReducer';
export type { Notice } from './notices';

/** Where the store keeps small preferences (the browser's localStorage in the app, a Map in tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** What the store needs from outside: the contract (IPC or HTTP, never known here) and storage. */
export interface AppDeps {
  api: BottleneckApi;
  storage: KeyValueStorage;
  /** Milliseconds between live refreshes of the run list (tests make it 0). */
  refreshDelayMs?: number;
  /** Least milliseconds between deliveries of training events to the store (tests make it 0: each at once). */
  trainEventIntervalMs?: number;
}

/** About ten renders a second while a run streams events: live enough, and the window stays free for clicks. */
const TRAIN_EVENT_INTERVAL_MS = 100;

export interface ConfirmRequest {
  title: string;
  message: string;
  confirmLabel: string;
  onConfirm: () => void;
}

export type FileDialogMode = 'open' | 'save';

export interface UiSlice {
  info: AppInfo | null;
  backend: BackendInfo | null;
  notice: Notice | null;
  pendingConfirm: ConfirmRequest | null;
  fileDialog: FileDialogMode | null;
  shortcutsOpen: boolean;
  /** False while the browser's event connection is down (events may be missed until it returns). */
  connected: boolean;
  setInfo(info: AppInfo): void;
  /** Where to train (automatic, GPU, CPU): remembered by the backend, which restarts its trainer with it. */
  setBackendPreference(preference: BackendPreference): Promise<void>;
  /** Shows a notice (replacing any other); information times out, see notices.ts. */
  setNotice(notice: Notice | null): void;
  /** The pointer is on the notice: it stays until the pointer leaves. */
  holdNotice(held: boolean): void;
  confirm(request: ConfirmRequest): void;
  resolveConfirm(accepted: boolean): void;
  openDialog(mode: FileDialogMode | null): void;
  showShortcuts(open: boolean): void;
  /** Subscribes to the backend's events and asks for app:info; returns the unsubscribe. */
  subscribeToBackend(): () => void;
  handleApiEvent(event: ApiEvent): void;
  /** After a lost connection: reads again what may have changed meanwhile (a run that ended). */
  resync(): Promise<void>;
  /** Runs a registered command if it is enabled now (a menu item, the keyboard, a button). */
  runCommand(id: string): void;
}

export type AppState = UiSlice & GraphSlice & TrainingSlice & DatasetSlice & RunsSlice & ExploreSlice & ScoreSlice & LabSlice & CompareSlice & ExportSlice & WorkspaceSlice & ExperimentsSlice;
export type AppStore = StoreApi<AppState>;

/** A slice creator with the injected dependencies. */
export type SliceCreator<T> = (deps: AppDeps) => StateCreator<AppState, [], [], T>;

/** The views that show the run list: the Runs view, and the run pickers of Explore, Anomalies and the Lab. */
const VIEWS_LISTING_RUNS: View[] = ['runs', 'explore', 'score', 'lab'];

const createUiSlice: SliceCreator<UiSlice> = (deps) => (set, get) => {
  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  let noticeTimer: ReturnType<typeof setTimeout> | null = null;
  let noticeHeld = false;
  /** Starts the notice's time-out afresh (information only, and not while the pointer holds it). */
  const armNoticeTimer = () => {
    if (noticeTimer) clearTimeout(noticeTimer);
    noticeTimer = null;
    const notice = get().notice;
    const lifetime = notice && noticeLifetime(notice);
    if (!notice || lifetime === null || noticeHeld) return;
    noticeTimer = setTimeout(() => {
      noticeTimer = null;
      if (get().notice === notice) set({ notice: null });
    }, lifetime);
  };
  /** The run list follows training live (new runs, each finished epoch, ends), at most once a second, where a view lists runs. */
  const refreshRunsSoon = () => {
    if (!VIEWS_LISTING_RUNS.includes(get().view) || refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      void get().loadRuns();
    }, deps.refreshDelayMs ?? 1000);
  };
  return {
    info: null,
    backend: null,
    notice: null,
    pendingConfirm: null,
    fileDialog: null,
    shortcutsOpen: false,
    connected: true,
    setInfo: (info) => {
      set({ info, backend: info.backend ?? get().backend });
      get().restoreDataset(info);
    },
    setBackendPreference: async (preference) => {
      try {
        const backend = await deps.api.invoke('app:set-backend-preference', { preference });
        const info = get().info;
        set({ backend, ...(info && { info: { ...info, backend, backendPreference: preference } }) });
        // A GPU asked for and not found: said at once, not only on the badge.
        const fellBack = gpuFallback(preference, backend);
        if (fellBack) get().setNotice({ kind: 'info', text: `GPU chosen, but ${fellBack}` });
      } catch (err) {
        get().setNotice({ kind: 'error', text: `Cannot change where to train: ${(err as Error).message}` });
      }
    },
    setNotice: (notice) => {
      noticeHeld = false;
      set({ notice: notice && { ...notice, raisedIn: notice.raisedIn ?? get().view } });
      armNoticeTimer();
    },
    holdNotice: (held) => {
      noticeHeld = held;
      armNoticeTimer();
    },
    confirm: (request) => set({ pendingConfirm: request }),
    resolveConfirm: (accepted) => {
      const request = get().pendingConfirm;
      set({ pendingConfirm: null });
      if (accepted) request?.onConfirm();
    },
    openDialog: (mode) => set({ fileDialog: mode }),
    showShortcuts: (open) => set({ shortcutsOpen: open }),
    subscribeToBackend: () => {
      const paced = paceTrainEvents((event) => get().handleApiEvent(event), deps.trainEventIntervalMs ?? TRAIN_EVENT_INTERVAL_MS);
      const unsubscribeApi = deps.api.on(paced);
      const unsubscribe = () => {
        unsubscribeApi();
        paced.flush();
      };
      deps.api.invoke('app:info', {}).then(
        (info) => get().setInfo(info),
        (err: Error) => get().setNotice({ kind: 'error', text: `Cannot reach the Bottleneck backend: ${err.message}` }),
      );
      return () => {
        unsubscribe();
        if (refreshTimer) clearTimeout(refreshTimer);
        if (noticeTimer) clearTimeout(noticeTimer);
        refreshTimer = null;
        noticeTimer = null;
      };
    },
    handleApiEvent: (event) => {
      switch (event.type) {
        case 'train':
          get().handleEvent(event.event);
          if (event.event.type !== 'batch-end' && event.event.type !== 'dataset-progress') refreshRunsSoon();
          // The experiment shown follows its run's epochs and ends.
          if ((event.event.type === 'epoch-end' || isTerminal(event.event)) && get().view === 'experiments' && get().experiment?.runs.some((r) => r.runId === event.event.runId)) void get().openExperiment(get().experimentId);
          return;
        case 'runs-changed':
          refreshRunsSoon();
          return;
        case 'experiment-changed':
          refreshRunsSoon();
          if (get().view === 'experiments') void get().loadExperiments();
          return;
        case 'backend-ready':
          set({ backend: event.backend });
          return;
        case 'connection':
          set({ connected: event.connected });
          if (event.connected) void get().resync();
          return;
        case 'menu-command':
          get().runCommand(event.id);
          return;
        case 'job-progress':
          get().onJobProgress(event);
          get().onScoreProgress(event);
          return;
        case 'scan-progress':
          return;
      }
    },
    runCommand: (id) => {
      const cmd = command(id);
      if (cmd.enabled(get())) cmd.run(get());
    },
    resync: async () => {
      try {
        get().setInfo(await deps.api.invoke('app:info', {}));
      } catch {
        // Still unreachable: the next reconnect tries again.
        return;
      }
      await get().syncTraining();
      if (VIEWS_LISTING_RUNS.includes(get().view)) await get().loadRuns();
    },
  };
};

/**
 * One store of slices (DESIGN.md): ui, graph (with its undo history in the state), training, dataset
 * and runs, over an injected API, so tests drive it with a fake backend and no browser.
 */
export function createAppStore(deps: AppDeps): AppStore {
  const store = createStore<AppState>()((...a) => ({
    ...createUiSlice(deps)(...a),
    ...createGraphSlice(deps)(...a),
    ...createTrainingSlice(deps)(...a),
    ...createDatasetSlice(deps)(...a),
    ...createRunsSlice(deps)(...a),
    ...createExploreSlice(deps)(...a),
    ...createScoreSlice(deps)(...a),
    ...createLabSlice(deps)(...a),
    ...createCompareSlice(deps)(...a),
    ...createExportSlice(deps)(...a),
    ...createWorkspaceSlice(deps)(...a),
    ...createExperimentsSlice(deps)(...a),
  }));
  // The graph on screen is kept at every change, so a reload comes back to it.
  store.subscribe((s, before) => {
    if (s.doc !== before.doc || s.savedDoc !== before.savedDoc || s.filePath !== before.filePath) storeGraph(deps.storage, s);
  });
  // A notice goes once what it is about has gone: its view, the graph as it was, its run, the graph's fault.
  const world = (s: AppState): NoticeWorld => ({ view: s.view, doc: s.doc, runId: s.training.runId, graphValid: !hasErrors(s.analysis) });
  store.subscribe((s, before) => {
    if (s.notice && s.notice === before.notice && outlived(s.notice, world(before), world(s))) store.setState({ notice: null });
  });
  return store;
}

export const selectDirty = (s: AppState) => s.doc !== s.savedDoc;
export const selectSelectedNode = (s: AppState) => (s.selection.nodes.length === 1 ? (s.doc.nodes.find((n) => n.id === s.selection.nodes[0]) ?? null) : null);
