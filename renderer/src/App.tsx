import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import { getApi } from './api/client';
import { commandForKey } from './commands';
import { GraphCanvas } from './editor/GraphCanvas';
import { Inspector } from './editor/Inspector';
import { DatasetDialog } from './panels/DatasetDialog';
import { ConfirmDialog, FileDialog } from './panels/Dialogs';
import { NoticeBar } from './panels/NoticeBar';
import { RunsView } from './panels/RunsView';
import { Toolbar } from './panels/Toolbar';
import { TrainingDashboard } from './panels/TrainingDashboard';
import { selectDirty, useApp } from './store/store';

const typingInto = (target: EventTarget | null) => target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

let refreshTimer: ReturnType<typeof setTimeout> | null = null;
/** The run list follows training live (new runs, each finished epoch, ends), at most once a second. */
function refreshRunsSoon(type: string) {
  if (type === 'batch-end' || type === 'dataset-progress' || useApp.getState().view !== 'runs' || refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    void useApp.getState().loadRuns();
  }, 1000);
}

export function App() {
  const view = useApp((s) => s.view);
  useEffect(() => {
    const api = getApi();
    const unsubscribe = api.on((event) => {
      if (event.type === 'train') {
        useApp.getState().handleEvent(event.event);
        refreshRunsSoon(event.event.type);
      } else if (event.type === 'runs-changed') refreshRunsSoon('runs-changed');
      else if (event.type === 'backend-ready') useApp.setState({ backend: event.backend });
    });
    api.invoke('app:info', {}).then(
      (info) => useApp.getState().setInfo(info),
      (err: Error) => useApp.getState().setNotice({ kind: 'error', text: `Cannot reach the Bottleneck backend: ${err.message}` }),
    );
    return unsubscribe;
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const state = useApp.getState();
      if (typingInto(e.target) || state.pendingConfirm || state.fileDialog || state.datasetDialog) return;
      const cmd = commandForKey(e);
      if (!cmd) return;
      // The Runs view has no graph on screen: editing shortcuts would change it unseen.
      if (state.view === 'runs' && !cmd.id.startsWith('view-')) return;
      e.preventDefault();
      if (cmd.enabled(state)) cmd.run(state);
    };
    // Leaving the page with unsaved work asks first.
    const onUnload = (e: BeforeUnloadEvent) => {
      if (selectDirty(useApp.getState())) e.preventDefault();
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
      if (path) useApp.getState().openDatasetDialog({ path });
      else useApp.getState().setNotice({ kind: 'info', text: 'The browser does not tell where a dropped folder is: choose it in Data ▾ with its path or Browse….' });
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
  }, []);

  return (
    <div className="app">
      <Toolbar />
      <NoticeBar />
      {view === 'runs' ? (
        <RunsView />
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
      <FileDialog />
      <DatasetDialog />
      <ConfirmDialog />
    </div>
  );
}
