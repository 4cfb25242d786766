import { createContext, useCallback, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { BottleneckApi } from '../../../core/api';
import type { AppState, AppStore } from './store';

interface AppContextValue {
  store: AppStore;
  api: BottleneckApi;
}

const AppContext = createContext<AppContextValue | null>(null);

/** Gives the components below one store and the API it was made with. */
export function AppProvider({ store, api, children }: { store: AppStore; api: BottleneckApi; children: ReactNode }) {
  return <AppContext.Provider value={{ store, api }}>{children}</AppContext.Provider>;
}

function useAppContext(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('no AppProvider above this component');
  return value;
}

/**
 * Reads from the store and re-renders when the selected value changes (as zustand's useStore, but a
 * render outside the browser, in a unit test, sees the store's current state, not its initial one).
 */
export function useApp<T>(selector: (s: AppState) => T): T {
  const { store } = useAppContext();
  const read = useCallback(() => selector(store.getState()), [store, selector]);
  return useSyncExternalStore(store.subscribe, read, read);
}

/** The store itself, for event handlers that act on it (store.getState().undo()). */
export function useAppStore(): AppStore {
  return useAppContext().store;
}

/** The contract, for views that read data the store does not keep (a folder listing, a run's epoch). */
export function useApi(): BottleneckApi {
  return useAppContext().api;
}
