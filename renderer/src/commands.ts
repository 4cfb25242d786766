import { hasErrors } from '../../core/shapes/infer';
import { getApi } from './api/client';
import { isTraining, type AppState } from './store/store';

/**
 * Every editor command, registered once: the toolbar, the keyboard and tooltips read from here
 * (Excalidraw's actions are the model).
 */
export interface Command {
  id: string;
  label: string;
  /** Key combination as written in tooltips; "Mod" is Ctrl, or Cmd on macOS. */
  shortcut?: string;
  enabled(s: AppState): boolean;
  run(s: AppState): void;
}

const editable = (s: AppState) => !isTraining(s.training.status);

export const COMMANDS: Command[] = [
  { id: 'new', label: 'New', shortcut: 'Mod+Alt+N', enabled: editable, run: (s) => s.newGraph() },
  {
    id: 'open',
    label: 'Open…',
    shortcut: 'Mod+O',
    enabled: editable,
    run: (s) => {
      if (s.info?.shell === 'electron') {
        void getApi()
          .invoke('dialog:open-graph', {})
          .then(({ path }) => (path ? s.openPath(path) : false));
      } else s.openDialog('open');
    },
  },
  { id: 'save', label: 'Save', shortcut: 'Mod+S', enabled: () => true, run: (s) => void s.save() },
  {
    id: 'save-as',
    label: 'Save As…',
    shortcut: 'Mod+Shift+S',
    enabled: () => true,
    run: (s) => {
      if (s.info?.shell === 'electron') {
        void getApi()
          .invoke('dialog:save-graph', { suggestedName: s.doc.name })
          .then(({ path }) => (path ? s.saveAs(path, true) : false));
      } else s.openDialog('save');
    },
  },
  { id: 'undo', label: 'Undo', shortcut: 'Mod+Z', enabled: (s) => s.canUndo && editable(s), run: (s) => s.undo() },
  { id: 'redo', label: 'Redo', shortcut: 'Mod+Shift+Z', enabled: (s) => s.canRedo && editable(s), run: (s) => s.redo() },
  { id: 'copy', label: 'Copy', shortcut: 'Mod+C', enabled: (s) => s.selection.nodes.length > 0, run: (s) => s.copySelection() },
  { id: 'paste', label: 'Paste', shortcut: 'Mod+V', enabled: (s) => s.clipboard !== null && editable(s), run: (s) => s.pasteClipboard() },
  { id: 'duplicate', label: 'Duplicate', shortcut: 'Mod+D', enabled: (s) => s.selection.nodes.length > 0 && editable(s), run: (s) => s.duplicateSelection() },
  { id: 'delete', label: 'Delete', shortcut: 'Delete', enabled: (s) => (s.selection.nodes.length > 0 || s.selection.edges.length > 0) && editable(s), run: (s) => s.deleteSelection() },
  { id: 'layout', label: 'Auto-layout', shortcut: 'Mod+Shift+L', enabled: editable, run: (s) => s.layout() },
  { id: 'mirror', label: 'Mirror decoder', shortcut: 'Mod+Shift+M', enabled: editable, run: (s) => s.mirror() },
  { id: 'view-editor', label: 'Design: the graph editor and live training', shortcut: 'Mod+1', enabled: () => true, run: (s) => s.setView('editor') },
  { id: 'view-runs', label: 'Runs: every run, and side-by-side comparison', shortcut: 'Mod+2', enabled: () => true, run: (s) => s.setView('runs') },
  { id: 'dataset', label: 'Choose dataset…', shortcut: 'Mod+Shift+D', enabled: editable, run: (s) => s.openDatasetDialog({ path: null }) },
  { id: 'train', label: 'Train', shortcut: 'Mod+Enter', enabled: (s) => !hasErrors(s.analysis) && s.info !== null && editable(s), run: (s) => void s.startTraining() },
  { id: 'stop', label: 'Stop', shortcut: 'Escape', enabled: (s) => s.training.status === 'running' || s.training.status === 'paused', run: (s) => void s.stopTraining() },
  {
    id: 'pause',
    label: 'Pause / resume',
    shortcut: 'Mod+P',
    enabled: (s) => s.training.status === 'running' || s.training.status === 'paused',
    run: (s) => void (s.training.status === 'paused' ? s.resumeTraining() : s.pauseTraining()),
  },
];

export function command(id: string): Command {
  const found = COMMANDS.find((c) => c.id === id);
  if (!found) throw new Error(`no command "${id}"`);
  return found;
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

export function shortcutLabel(shortcut: string | undefined): string {
  if (!shortcut) return '';
  return shortcut.replace('Mod', isMac ? '⌘' : 'Ctrl').replace('Alt', isMac ? '⌥' : 'Alt');
}

/** Whether a key event is this shortcut ("Mod+Shift+Z", "Delete", …). */
export function matches(shortcut: string, e: KeyboardEvent): boolean {
  const parts = shortcut.split('+');
  const key = parts.at(-1)!;
  const mod = parts.includes('Mod');
  if (mod !== (isMac ? e.metaKey : e.ctrlKey)) return false;
  if (parts.includes('Shift') !== e.shiftKey) return false;
  if (parts.includes('Alt') !== e.altKey) return false;
  return e.key.toLowerCase() === key.toLowerCase();
}

/** Extra keys that do the same as a registered shortcut. */
const ALIASES: [string, string][] = [
  ['Mod+Y', 'redo'],
  ['Backspace', 'delete'],
];

export function commandForKey(e: KeyboardEvent): Command | null {
  const direct = COMMANDS.find((c) => c.shortcut && matches(c.shortcut, e));
  if (direct) return direct;
  const alias = ALIASES.find(([shortcut]) => matches(shortcut, e));
  return alias ? command(alias[1]) : null;
}
