import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import { worksInTextFields } from '../../core/commands';
import { COMMANDS, commandForKey } from './commands';
import { GraphCanvas } from './editor/GraphCanvas';
import { ExploreView } from './explore/ExploreView';
import { LabView } from './use/LabView';
import { ScoreView } from './use/ScoreView';
import { Inspector } from './editor/Inspector';
import { DatasetDialog } from './panels/DatasetDialog';
import { ExportDialog } from './panels/ExportDialog';
import { ViewErrorBoundary } from './panels/ViewErrorBoundary';
import { ConfirmDialog, FileDialog } from './panels/Dialogs';
import { NoticeBar } from './panels/NoticeBar';
import { RunsView } from './panels/RunsView';
import { ExperimentView } from './panels/ExperimentView';
import { SweepDialog } from './panels/SweepDialog';
import { ShortcutsDialog } from './panels/ShortcutsDialog';
import { Toolbar } from './panels/Toolbar';
import { TrainingDashboard } from './panels/TrainingDashboard';
import { PlaceDialog } from './panels/PlaceDialog';
import type { BottleneckApi } from '../../core/api';
import { useApi, useApp, useAppStore } from './store/context';
import { selectDirty, type AppStore } from './store/store';

/** Tells the desktop menu bar which commands are enabled, whenever that changes. */
function followMenuState(store: AppStore, api: BottleneckApi): () => void {
  let sent = '';
  const send = () => {
    const state = store.getState();
    const enabled = Object.fromEntries(COMMANDS.map((c) => [c.id, c.enabled(state)]));
    const key = JSON.stringify(enabled);
    if (key === sent) return;
    sent = key;
    api.invoke('app:menu-state', { enabled }).catch(() => {});
  };
  send();
  return store.subscribe(send);
}

const typingInto = (target: EventTarget | null) => target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

export function App() {
  const store = useAppStore();
  const view = useApp((s) => s.view);
  useEffect(() => store.getState().subscribeToBackend(), [store]);
  const desktop = useApp((s) => s.info?.shell === 'electron');
  const api = useApi();
  useEffect(() => (desktop ? followMenuState(store, api) : undefined), [desktop, store, api]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const state = store.getState();
      if (state.pendingConfirm || state.fileDialog || state.datasetDialog || state.shortcutsOpen || state.notesFor || state.shownPlace || state.sweepOpen) return;
      const cmd = commandForKey(e, state);
      if (!cmd) return;
      if (typingInto(e.target)) {
        // In a text field the keys edit the text; only Mod shortcuts that edit no text pass (views, save, train).
        if (!worksInTextFields(cmd)) return;
        // The field applies what was typed as it loses focus, so the command sees it.
        (e.target as HTMLElement).blur();
      }
      e.preventDefault();
      state.runCommand(cmd.id);
    };
    // Leaving the page with unsaved work asks first.
    const onUnload = (e: BeforeUnloadEvent) => {
      if (selectDirty(store.getState())) e.preventDefault();
    };
    // A folder dropped on the window becomes the dataset (desktop app: the preload gives its path).
    const isFileDrag = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
    const onDragOver = (e: DragEvent) => {
      if (isFileDrag(e)) e.preventDefault();
    };
    const onDrop = (e: DragEvent) => {
      const file = e.dataTransfer?.files[0];
      if (!file || !isFileDrag(e)) return;
      e.preventDefault();
      const path = window.bottleneckFiles?.pathForFile(file);
      if (path) store.getState().openDatasetDialog({ path });
      else store.getState().setNotice({ kind: 'info', text: 'The browser does not tell where a dropped folder is: choose it in Data ▾ with its path or Browse….' });
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('beforeunload', onUnload);
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('beforeunload', onUnload);
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('drop', onDrop);
    };
  }, [store]);

  return (
    <div className="app">
      <Toolbar />
      <NoticeBar />
      <ViewErrorBoundary view={view}>
        {view === 'runs' ? (
          <RunsView />
        ) : view === 'explore' ? (
          <ExploreView />
        ) : view === 'score' ? (
          <ScoreView />
        ) : view === 'lab' ? (
          <LabView />
        ) : view === 'experiments' ? (
          <ExperimentView />
        ) : (
          <main className="workspace">
            <section className="canvas-area" aria-label="Graph editor">
              <ReactFlowProvider>
                <GraphCanvas />
              </ReactFlowProvider>
            </section>
            <section className="dashboard" aria-label="Training">
              <Inspector />
              <TrainingDashboard />
            </section>
          </main>
        )}
      </ViewErrorBoundary>
      <FileDialog />
      <DatasetDialog />
      <ExportDialog />
      <ConfirmDialog />
      <ShortcutsDialog />
      <PlaceDialog />
      <SweepDialog />
    </div>
  );
}
