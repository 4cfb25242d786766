import type { StateCreator } from 'zustand';
import { ApiError } from '../../../core/apiChannels';
import * as edits from '../../../core/graph/edits';
import { History } from '../../../core/graph/history';
import { autoLayout } from '../../../core/graph/layout';
import { mirrorDecoder } from '../../../core/graph/mirror';
import { GraphFileError, parseGraphText, serializeGraph } from '../../../core/graph/schema';
import { DEFAULT_TRAINING, GRAPH_FORMAT, GRAPH_VERSION, type BlockKind, type GraphDoc, type TrainingSettings, type XY } from '../../../core/graph/types';
import { analyzeGraph, type GraphAnalysis } from '../../../core/shapes/infer';
import { buildTemplate, TEMPLATES, type TemplateName } from '../../../core/templates';
import { getApi } from '../api/client';
import type { AppState } from './store';

export interface Selection {
  nodes: string[];
  edges: string[];
}

export interface GraphSlice {
  doc: GraphDoc;
  analysis: GraphAnalysis;
  selection: Selection;
  canUndo: boolean;
  canRedo: boolean;
  /** The document as last saved or opened: the graph is dirty while `doc` differs from it. */
  savedDoc: GraphDoc;
  filePath: string | null;
  clipboard: edits.Clipboard | null;
  /** Bumped when the whole view should refit: a document loaded (file, template, New) or laid out. */
  viewResets: number;

  /** Applies an edit as one undoable step. */
  commit(next: GraphDoc): void;
  undo(): void;
  redo(): void;
  addBlock(kind: BlockKind, position: XY): void;
  connect(source: string, target: string): void;
  removeElements(nodeIds: string[], edgeIds: string[]): void;
  deleteSelection(): void;
  setParam(id: string, name: string, value: unknown): void;
  moveNodes(positions: Record<string, XY>): void;
  setTraining(patch: Partial<TrainingSettings>): void;
  rename(name: string): void;
  setSelection(selection: Selection): void;
  copySelection(): void;
  pasteClipboard(): void;
  duplicateSelection(): void;
  layout(): void;
  mirror(): void;

  /** Replacing the document asks first when there is unsaved work. */
  newGraph(): void;
  loadTemplate(name: TemplateName): void;
  openGraphText(fileName: string, text: string, path?: string | null): boolean;
  openPath(path: string): Promise<boolean>;
  /** Opens a graph that is not a file (a run's), asking first when there are unsaved changes. */
  openGraphDoc(doc: GraphDoc, what: string, then?: () => void): void;
  save(): Promise<boolean>;
  saveAs(path: string, overwrite?: boolean): Promise<boolean>;
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

const history = new History<GraphDoc>(buildTemplate('undercomplete'));

export const createGraphSlice: StateCreator<AppState, [], [], GraphSlice> = (set, get) => {
  const show = (doc: GraphDoc) => set({ doc, analysis: analyzeGraph(doc), canUndo: history.canUndo, canRedo: history.canRedo });
  /** Loads a document as a fresh start (a file, a template, New): no undo back into the old one. */
  const replace = (doc: GraphDoc, filePath: string | null) => {
    history.reset(doc);
    // A warning about the graph being replaced no longer applies.
    if (get().notice?.kind === 'error') get().setNotice(null);
    set({ savedDoc: doc, filePath, selection: { nodes: [], edges: [] }, viewResets: get().viewResets + 1 });
    show(doc);
  };
  const datasetImage = () => {
    const ds = get().dataset;
    return ds ? { height: ds.height, width: ds.width, channels: ds.channels } : undefined;
  };
  const guarded = (what: string, action: () => void) => {
    if (get().doc === get().savedDoc) action();
    else get().confirm({ title: 'Discard unsaved changes?', message: `"${get().doc.name}" has changes that are not saved. ${what} anyway?`, confirmLabel: 'Discard changes', onConfirm: action });
  };
  const writeFile = async (path: string, overwrite: boolean): Promise<boolean> => {
    const { doc } = get();
    try {
      const saved = await getApi().invoke('graphs:write', { path, text: serializeGraph(doc), overwrite });
      set({ savedDoc: doc, filePath: saved.path });
      get().setNotice({ kind: 'info', text: `Saved ${saved.path}` });
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'exists') {
        get().confirm({ title: 'Replace file?', message: `${err.message}. Replace it with "${doc.name}"?`, confirmLabel: 'Replace', onConfirm: () => void writeFile(path, true) });
        return false;
      }
      get().setNotice({ kind: 'error', text: `Could not save: ${(err as Error).message}` });
      return false;
    }
  };

  return {
    doc: history.present,
    analysis: analyzeGraph(history.present),
    selection: { nodes: [], edges: [] },
    canUndo: false,
    canRedo: false,
    savedDoc: history.present,
    filePath: null,
    clipboard: null,
    viewResets: 0,

    commit: (next) => {
      if (next === get().doc) return;
      show(history.push(next));
    },
    undo: () => show(history.undo()),
    redo: () => show(history.redo()),
    addBlock: (kind, position) => {
      const { doc, id } = edits.addNode(get().doc, kind, position, kind === 'Input' ? datasetImage() : undefined);
      get().commit(doc);
      set({ selection: { nodes: [id], edges: [] } });
    },
    connect: (source, target) => {
      const problem = edits.connectionProblem(get().doc, source, target);
      if (problem) get().setNotice({ kind: 'error', text: `Cannot connect: ${problem}` });
      else get().commit(edits.connect(get().doc, source, target));
    },
    removeElements: (nodeIds, edgeIds) => {
      get().commit(edits.removeElements(get().doc, nodeIds, edgeIds));
      set({ selection: { nodes: [], edges: [] } });
    },
    deleteSelection: () => get().removeElements(get().selection.nodes, get().selection.edges),
    setParam: (id, name, value) => get().commit(edits.setParam(get().doc, id, name, value)),
    moveNodes: (positions) => get().commit(edits.moveNodes(get().doc, positions)),
    setTraining: (patch) => get().commit(edits.setTraining(get().doc, patch)),
    rename: (name) => get().commit(edits.rename(get().doc, name.trim() || 'Untitled')),
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
      set({ viewResets: get().viewResets + 1 });
    },
    mirror: () => {
      try {
        get().commit(mirrorDecoder(get().doc));
        get().setNotice({ kind: 'info', text: 'Decoder rebuilt as the mirror image of the encoder.' });
      } catch (err) {
        get().setNotice({ kind: 'error', text: `Cannot mirror the decoder: ${(err as Error).message}` });
      }
    },

    newGraph: () => guarded('Start a new graph', () => replace(emptyGraph(datasetImage()), null)),
    loadTemplate: (name) => guarded(`Load the ${TEMPLATES[name].label} template`, () => replace(buildTemplate(name, datasetImage()), null)),
    openGraphText: (fileName, text, path = null) => {
      try {
        const doc = parseGraphText(text);
        replace(doc, path);
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
        replace(doc, null);
        get().setNotice({ kind: 'info', text: `Opened ${what}; Save As… keeps it as a file.` });
        then?.();
      }),
    openPath: async (path) => {
      try {
        const file = await getApi().invoke('graphs:read', { path });
        return get().openGraphText(path, file.text, file.path);
      } catch (err) {
        get().setNotice({ kind: 'error', text: `Could not open ${path}: ${(err as Error).message}` });
        return false;
      }
    },
    save: async () => {
      const { filePath } = get();
      if (filePath) return writeFile(filePath, true);
      get().openDialog('save');
      return false;
    },
    saveAs: (path, overwrite = false) => writeFile(path, overwrite),
  };
};
