/**
 * The graph on the canvas kept in the window's storage at every change, so a reload (or the next
 * start) comes back to it: unsaved changes, whether it was saved, and its file. A stored graph that
 * cannot be read is left alone and the app starts on its template.
 */
import { parseGraphText, serializeGraph } from '../../../core/graph/schema';
import type { GraphDoc } from '../../../core/graph/types';
import type { KeyValueStorage } from './store';

const KEY = 'bottleneck.graph';

interface Stored {
  /** The graph as on screen (a graph file's text). */
  doc: string;
  /** The graph as last saved or opened, when it differs from `doc`; absent when `doc` is saved. */
  saved?: string;
  filePath: string | null;
}

export interface RestoredGraph {
  doc: GraphDoc;
  savedDoc: GraphDoc;
  filePath: string | null;
}

/** The last graph, or null (none kept, or unreadable: a graph file's own checks apply). */
export function readStoredGraph(storage: KeyValueStorage): RestoredGraph | null {
  try {
    const stored = JSON.parse(storage.getItem(KEY) ?? 'null') as Stored | null;
    if (!stored || typeof stored.doc !== 'string') return null;
    const doc = parseGraphText(stored.doc);
    const savedDoc = typeof stored.saved === 'string' ? parseGraphText(stored.saved) : doc;
    return { doc, savedDoc, filePath: typeof stored.filePath === 'string' ? stored.filePath : null };
  } catch {
    return null;
  }
}

export function storeGraph(storage: KeyValueStorage, { doc, savedDoc, filePath }: RestoredGraph): void {
  const stored: Stored = { doc: serializeGraph(doc), ...(savedDoc !== doc && { saved: serializeGraph(savedDoc) }), filePath };
  try {
    storage.setItem(KEY, JSON.stringify(stored));
  } catch {
    // Storage can be full or off: the graph still holds for this session.
  }
}
