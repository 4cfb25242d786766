import { useEffect } from 'react';
import { getApi } from './api/client';
import { GraphCanvas } from './editor/GraphCanvas';
import { Inspector } from './editor/Inspector';
import { Toolbar } from './panels/Toolbar';
import { TrainingDashboard } from './panels/TrainingDashboard';
import { NoticeBar } from './panels/NoticeBar';
import { useApp } from './store/store';

export function App() {
  useEffect(() => {
    const api = getApi();
    const unsubscribe = api.on((event) => {
      if (event.type === 'train') useApp.getState().handleEvent(event.event);
      else if (event.type === 'backend-ready') useApp.setState({ backend: event.backend });
    });
    api.invoke('app:info', {}).then(
      (info) => useApp.getState().setInfo(info),
      (err: Error) => useApp.getState().setNotice({ kind: 'error', text: `Cannot reach the Bottleneck backend: ${err.message}` }),
    );
    return unsubscribe;
  }, []);

  return (
    <div className="app">
      <Toolbar />
      <NoticeBar />
      <main className="workspace">
        <section className="canvas-area" aria-label="Graph editor">
          <GraphCanvas />
        </section>
        <section className="dashboard" aria-label="Training">
          <Inspector />
          <TrainingDashboard />
        </section>
      </main>
    </div>
  );
}
