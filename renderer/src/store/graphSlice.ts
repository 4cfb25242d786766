import { ApiError } from '../../../core/apiChannels';
import * as edits from '../../../core/graph/edits';
import { breakMerge, canRedo, canUndo, pushHistory, redoHistory, startHistory, undoHistory, type History } from '../../../core/graph/history';
import { autoLayout } from '../../../core/graph/layout';
import { mirrorDecoder } from '../../../core/graph/mirror';
import { GraphFileError, parseGraphText, serializeGraph } from '../../../core/graph/schema';
import { DEFAULT_TRAINING, GRAPH_FORMAT, GRAPH_VERSION, type BlockKind, type GraphDoc, type TrainingSettings, type XY } from '../../../core/graph/types';
import { analyzeGraph, type GraphAnalysis } from '../../../core/shapes/infer';
import { buildTemplate, inputImage, resizeTemplate, TEMPLATES, type TemplateName } from '../../../core/templates';
import { readStoredGraph } from './restore';
import type { SliceCreator } from './store';

/** How Save As went: saved, asking whether to replace a file, or refused (the reason, for the dialog to show). */
export type SaveOutcome = 'saved' | 'asking' | { error: string };

export interface Selection {
  nodes: string[];
  edges: string[];
}

export interface GraphSlice {
  /** The undo history; its present is the document on screen. */
  history: History<GraphDoc>;
  /** history.present, and its analysis: kept beside it because every view reads them and analysis is not free. */
  doc: GraphDoc;
  analysis: GraphAnalysis;
  canUndo: boolean;
  canRedo: boolean;
  selection: Selection;
  /** The document as last saved or opened: the graph is dirty while `doc` differs from it. */
  savedDoc: GraphDoc;
  filePath: string | null;
  clipboard: edits.Clipboard | null;
  /** Bumped when the whole view should refit: a document loaded (file, template, New), laid out, or asked for. */
  viewResets: number;

  /**
   * Applies an edit as one undoable step. Edits with the same `mergeKey` in a row (typing in one
   * field) are one step, until endEdit().
   */
  commit(next: GraphDoc, mergeKey?: string | null): void;
  /** Ends a run of merged edits (the field lost focus). */
  endEdit(): void;
  undo(): void;
  redo(): void;
  addBlock(kind: BlockKind, position: XY): void;
  connect(source: string, target: string): void;
  removeElements(nodeIds: string[], edgeIds: string[]): void;
  deleteSelection(): void;
  setParam(id: string, name: string, value: unknown, mergeKey?: string | null): void;
  moveNodes(positions: Record<string, XY>): void;
  setTraining(patch: Partial<TrainingSettings>, mergeKey?: string | null): void;
  rename(name: string, mergeKey?: string | null): void;
  setSelection(selection: Selection): void;
  copySelection(): void;
  pasteClipboard(): void;
  duplicateSelection(): void;
  layout(): void;
  mirror(): void;
  fitView(): void;

  /** The dataset's images arrived before any edit: the untouched starting template is rebuilt for them, as if it had started so. */
  fitStartingTemplate(image: { height: number; width: number; channels: number }): void;
  /** Replacing the document asks first when there is unsaved work. */
  newGraph(): void;
  loadTemplate(name: TemplateName): void;
  openGraphText(fileName: string, text: string, path?: string | null): boolean;
  openPath(path: string): Promise<boolean>;
  /** Opens a graph that is not a file (a run's), asking first when there are unsaved changes. */
  openGraphDoc(doc: GraphDoc, what: string, then?: () => void): void;
  /** Open…: the native dialog in the desktop app, the workspace's graphs in the browser; asks first over unsaved changes. */
  openFile(): void;
  save(): Promise<boolean>;
  /** Save As…: the native dialog in the desktop app, the workspace's graphs in the browser. */
  saveFileAs(): Promise<boolean>;
  /** Saves under a name in browser mode's graphs folder; asks before replacing a file (then `onReplaced`). */
  saveAs(path: string, onReplaced?: () => void): Promise<SaveOutcome>;
}

export function emptyGraph(image = { height: 28, width: 28, channels: 1 }): GraphDoc {
  return {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    name: 'Untitled',
    nodes: [
      { id: 'input-1', kind: 'Input', params: { ...image }, position: { x: 0, y: -60 } },
      { id: 'output-2', kind: 'Output', params: { loss: 'bce' }, position: { x: 900, y: -60 } },
    ],
    edges: [],
    training: { ...DEFAULT_TRAINING },
  };
}

export const createGraphSlice: SliceCreator<GraphSlice> = ({ api, storage }) => (set, get) => {
  /** Puts a history on screen: the document, its analysis and what can be undone follow from it. */
  const show = (history: History<GraphDoc>) => {
    const doc = history.present;
    set({ history, doc, analysis: doc === get().doc ? get().analysis : analyzeGraph(doc), canUndo: canUndo(history), canRedo: canRedo(history) });
  };
  /**
   * Puts another document on screen. A template or New is one undo step (undo brings the old graph
   * back); a file or a run's graph starts a fresh history, as opening a document does.
   */
  const replace = (doc: GraphDoc, filePath: string | null, undoable: boolean) => {
    // No notice about the graph being replaced applies any more, nor does the last run's dashboard.
    get().setNotice(null);
    get().clearDashboard();
    set({ savedDoc: doc, filePath, selection: { nodes: [], edges: [] }, viewResets: get().viewResets + 1 });
    show(undoable ? pushHistory(get().history, doc) : startHistory(doc));
  };
  const datasetImage = () => {
    const ds = get().dataset;
    return ds ? { height: ds.height, width: ds.width, channels: ds.channels } : undefined;
  };
  const guarded = (what: string, action: () => void) => {
    if (get().doc === get().savedDoc) action();
    else get().confirm({ title: 'Discard unsaved changes?', message: `"${get().doc.name}" has changes that are not saved. ${what} anyway?`, confirmLabel: 'Discard changes', onConfirm: action });
  };
  /**
   * Writes the graph. 'asking': the file exists and the user is asked whether to replace it (the
   * answer writes it, then `onReplaced` runs); a refusal is returned, not shown, so a dialog can show it.
   */
  const writeFile = async (path: string, overwrite: boolean, onReplaced?: () => void): Promise<SaveOutcome> => {
    const { doc } = get();
    try {
      const saved = await api.invoke('graphs:write', { path, text: serializeGraph(doc), overwrite });
      set({ savedDoc: doc, filePath: saved.path });
      get().setNotice({ kind: 'info', text: `Saved ${saved.path}` });
      return 'saved';
    } catch (err) {
      if (err instanceof ApiError && err.code === 'exists') {
        const replace = async () => {
          const outcome = await writeFile(path, true);
          if (outcome === 'saved') onReplaced?.();
          else if (typeof outcome === 'object') get().setNotice({ kind: 'error', text: `Could not save: ${outcome.error}` });
        };
        get().confirm({ title: 'Replace file?', message: `${err.message}. Replace it with "${doc.name}"?`, confirmLabel: 'Replace', onConfirm: () => void replace() });
        return 'asking';
      }
      return { error: (err as Error).message };
    }
  };
  /** Saving where no dialog shows the refusal: the notice bar does. */
  const saveOrSay = async (path: string): Promise<boolean> => {
    const outcome = await writeFile(path, true);
    if (typeof outcome === 'object') get().setNotice({ kind: 'error', text: `Could not save: ${outcome.error}` });
    return outcome === 'saved';
  };
  const desktop = () => get().info?.shell === 'electron';

  // The last graph, as it was when the window closed (restore.ts); the undercomplete template the first time.
  const restored = readStoredGraph(storage);
  const initial = restored?.doc ?? buildTemplate('undercomplete');
  return {
    history: startHistory(initial),
    doc: initial,
    analysis: analyzeGraph(initial),
    canUndo: false,
    canRedo: false,
    selection: { nodes: [], edges: [] },
    savedDoc: restored?.savedDoc ?? initial,
    filePath: restored?.filePath ?? null,
    clipboard: null,
    viewResets: 0,

    commit: (next, mergeKey = null) => show(pushHistory(get().history, next, mergeKey)),
    endEdit: () => set({ history: breakMerge(get().history) }),
    undo: () => show(undoHistory(get().history)),
    redo: () => show(redoHistory(get().history)),
    addBlock: (kind, position) => {
      const { doc, id } = edits.addNode(get().doc, kind, position, kind === 'Input' ? datasetImage() : undefined);
      get().commit(doc);
      set({ selection: { nodes: [id], edges: [] } });
    },
    connect: (source, target) => {
      const problem = edits.connectionProblem(get().doc, source, target);
      if (problem) get().setNotice({ kind: 'error', text: `Cannot connect: ${problem}`, view: 'editor', about: 'edit' });
      else get().commit(edits.connect(get().doc, source, target));
    },
    removeElements: (nodeIds, edgeIds) => {
      get().commit(edits.removeElements(get().doc, nodeIds, edgeIds));
      set({ selection: { nodes: [], edges: [] } });
    },
    deleteSelection: () => get().removeElements(get().selection.nodes, get().selection.edges),
    setParam: (id, name, value, mergeKey = null) => get().commit(edits.setParam(get().doc, id, name, value), mergeKey),
    moveNodes: (positions) => get().commit(edits.moveNodes(get().doc, positions)),
    setTraining: (patch, mergeKey = null) => get().commit(edits.setTraining(get().doc, patch), mergeKey),
    rename: (name, mergeKey = null) => get().commit(edits.rename(get().doc, name.trim() || 'Untitled'), mergeKey),
    setSelection: (selection) => set({ selection }),
    copySelection: () => {
      const { selection, doc } = get();
      if (selection.nodes.length) set({ clipboard: edits.copyNodes(doc, selection.nodes) });
    },
    pasteClipboard: () => {
      const clip = get().clipboard;
      if (!clip) return;
      const { doc, ids } = edits.paste(get().doc, clip);
      get().commit(doc);
      // Pasting again offsets again, so repeated pastes do not stack exactly.
      set({ selection: { nodes: ids, edges: [] }, clipboard: { ...clip, nodes: clip.nodes.map((n) => ({ ...n, position: { x: n.position.x + 40, y: n.position.y + 40 } })) } });
    },
    duplicateSelection: () => {
      const { selection, doc } = get();
      if (!selection.nodes.length) return;
      const result = edits.paste(doc, edits.copyNodes(doc, selection.nodes));
      get().commit(result.doc);
      set({ selection: { nodes: result.ids, edges: [] } });
    },
    layout: () => {
      get().commit(autoLayout(get().doc));
      get().fitView();
    },
    mirror: () => {
      try {
        get().commit(mirrorDecoder(get().doc));
        get().setNotice({ kind: 'info', text: 'Decoder rebuilt as the mirror image of the encoder.', view: 'editor' });
      } catch (err) {
        get().setNotice({ kind: 'error', text: `Cannot mirror the decoder: ${(err as Error).message}`, view: 'editor', about: 'edit' });
      }
    },
    fitView: () => set({ viewResets: get().viewResets + 1 }),

    fitStartingTemplate: (image) => {
      const { doc, savedDoc, filePath, history } = get();
      const from = inputImage(doc);
      if (doc !== savedDoc || filePath !== null || history.past.length > 0 || !from) return;
      const resized = resizeTemplate(doc, from, image);
      if (!resized) return;
      set({ savedDoc: resized, viewResets: get().viewResets + 1 });
      show(startHistory(resized));
    },
    newGraph: () => guarded('Start a new graph', () => replace(emptyGraph(datasetImage()), null, true)),
    loadTemplate: (name) => guarded(`Load the ${TEMPLATES[name].label} template`, () => replace(buildTemplate(name, datasetImage()), null, true)),
    openGraphText: (fileName, text, path = null) => {
      try {
        const doc = parseGraphText(text);
        replace(doc, path, false);
        get().setNotice({ kind: 'info', text: `Opened ${fileName}` });
        return true;
      } catch (err) {
        const reason = err instanceof GraphFileError ? err.message : String(err);
        // The current graph stays as it was.
        get().setNotice({ kind: 'error', text: `Could not open ${fileName}: ${reason}` });
        return false;
      }
    },
    openGraphDoc: (doc, what, then) =>
      guarded(`Open ${what}`, () => {
        replace(doc, null, false);
        // First what comes with it (the view it shows in), so the notice is raised there.
        then?.();
        get().setNotice({ kind: 'info', text: `Opened ${what}; Save As… keeps it as a file.` });
      }),
    openPath: async (path) => {
      try {
        const file = await api.invoke('graphs:read', { path });
        return get().openGraphText(path, file.text, file.path);
      } catch (err) {
        get().setNotice({ kind: 'error', text: `Could not open ${path}: ${(err as Error).message}` });
        return false;
      }
    },
    // Asked before any dialog shows: whatever is picked there then opens (the desktop dialog, or
    // browser mode's list of graphs and its import).
    openFile: () =>
      guarded('Open another graph', () => {
        if (!desktop()) {
          get().openDialog('open');
          return;
        }
        api
          .invoke('dialog:open-graph', {})
          .then(({ path }) => (path ? get().openPath(path) : false))
          .catch((err: Error) => get().setNotice({ kind: 'error', text: `Could not open a file: ${err.message}` }));
      }),
    save: async () => {
      const { filePath } = get();
      if (filePath) return saveOrSay(filePath);
      return get().saveFileAs();
    },
    saveFileAs: async () => {
      if (!desktop()) {
        get().openDialog('save');
        return false;
      }
      try {
        const { path } = await api.invoke('dialog:save-graph', { suggestedName: get().doc.name });
        // The native dialog has asked about replacing an existing file already.
        return path ? await saveOrSay(path) : false;
      } catch (err) {
        get().setNotice({ kind: 'error', text: `Could not save: ${(err as Error).message}` });
        return false;
      }
    },
    saveAs: (path, onReplaced) => writeFile(path, false, onReplaced),
  };
};
