/**
 * Undo history as immutable snapshots (tldraw's HistoryManager is the model), kept as plain data so it
 * can live inside the app's store state: every edit pushes the state it replaced; undo and redo move
 * between them. Graph documents are small, so whole snapshots are simpler and safer than inverse
 * operations.
 */
export interface History<T> {
  past: readonly T[];
  present: T;
  future: readonly T[];
  /**
   * Edits that carry the same key as the one before them merge into one undo step (typing in one
   * field); null breaks the run, so the next edit starts a new step.
   */
  mergeKey: string | null;
}

export const HISTORY_LIMIT = 500;

export function startHistory<T>(present: T): History<T> {
  return { past: [], present, future: [], mergeKey: null };
}

export const canUndo = (h: History<unknown>) => h.past.length > 0;
export const canRedo = (h: History<unknown>) => h.future.length > 0;

/**
 * Records `next` as the new present. An edit that changes nothing is not recorded; an edit whose
 * `mergeKey` equals the previous edit's replaces the present instead of adding a step.
 */
export function pushHistory<T>(h: History<T>, next: T, mergeKey: string | null = null, limit = HISTORY_LIMIT): History<T> {
  if (next === h.present) return h;
  if (mergeKey !== null && mergeKey === h.mergeKey && h.past.length > 0) return { ...h, present: next, future: [] };
  const past = [...h.past, h.present];
  if (past.length > limit) past.shift();
  return { past, present: next, future: [], mergeKey };
}

export function undoHistory<T>(h: History<T>): History<T> {
  const previous = h.past.at(-1);
  if (h.past.length === 0) return h;
  return { past: h.past.slice(0, -1), present: previous as T, future: [...h.future, h.present], mergeKey: null };
}

export function redoHistory<T>(h: History<T>): History<T> {
  const next = h.future.at(-1);
  if (h.future.length === 0) return h;
  return { past: [...h.past, h.present], present: next as T, future: h.future.slice(0, -1), mergeKey: null };
}

/** Ends a run of merged edits: the next edit is a new undo step even with the same key. */
export function breakMerge<T>(h: History<T>): History<T> {
  return h.mergeKey === null ? h : { ...h, mergeKey: null };
}
