import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles.css';
import { platformApi } from './api/client';
import { App } from './App';
import { AppProvider } from './store/context';
import { createAppStore, type KeyValueStorage } from './store/store';

/** localStorage where the browser allows it; a window without it (private mode, full) keeps choices for the session. */
function browserStorage(): KeyValueStorage {
  const memory = new Map<string, string>();
  return {
    getItem: (key) => {
      try {
        return localStorage.getItem(key);
      } catch {
        return memory.get(key) ?? null;
      }
    },
    setItem: (key, value) => {
      try {
        localStorage.setItem(key, value);
      } catch {
        memory.set(key, value);
      }
    },
  };
}

const api = platformApi();
const store = createAppStore({ api, storage: browserStorage() });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProvider store={store} api={api}>
      <App />
    </AppProvider>
  </StrictMode>,
);
