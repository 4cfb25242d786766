import { COMMAND_INFO, type CommandInfo } from '../../core/commands';
import { hasErrors } from '../../core/shapes/infer';
import type { TemplateName } from '../../core/templates';
import type { AppState } from './store/store';
import { selectTrainMemory } from './store/trainMemory';

/**
 * Every command with its enabled state and its action. The toolbar buttons, the keyboard, the
 * tooltips and the desktop menu bar all come from here, so they can never disagree.
 */
export interface Command extends CommandInfo {
  enabled(s: AppState): boolean;
  run(s: AppState): void;
  /** Why it is disabled now, for the tooltip (commands whose reason is not obvious). */
  whyDisabled?(s: AppState): string | null;
}

const inEditor = (s: AppState) => s.view === 'editor';
/**
 * Commands that change or read the graph on screen: the Runs view has none. A run that trains has
 * its own copy of the graph, so editing goes on meanwhile (and Train queues the next run).
 */
const editing = inEditor;
const always = () => true;

type Behaviour = Pick<Command, 'enabled' | 'run' | 'whyDisabled'>;

const BEHAVIOUR: Record<string, Behaviour> = {
  new: { enabled: always, run: (s) => s.newGraph() },
  open: { enabled: always, run: (s) => s.openFile() },
  save: { enabled: () => true, run: (s) => void s.save() },
  'save-as': { enabled: () => true, run: (s) => void s.saveFileAs() },
  dataset: { enabled: always, run: (s) => s.openDatasetDialog({ path: null }) },
  undo: { enabled: (s) => s.canUndo && editing(s), run: (s) => s.undo() },
  redo: { enabled: (s) => s.canRedo && editing(s), run: (s) => s.redo() },
  copy: { enabled: (s) => s.selection.nodes.length > 0 && inEditor(s), run: (s) => s.copySelection() },
  paste: { enabled: (s) => s.clipboard !== null && editing(s), run: (s) => s.pasteClipboard() },
  duplicate: { enabled: (s) => s.selection.nodes.length > 0 && editing(s), run: (s) => s.duplicateSelection() },
  delete: { enabled: (s) => (s.selection.nodes.length > 0 || s.selection.edges.length > 0) && editing(s), run: (s) => s.deleteSelection() },
  'select-all': { enabled: (s) => inEditor(s) && s.doc.nodes.length > 0, run: (s) => s.setSelection({ nodes: s.doc.nodes.map((n) => n.id), edges: s.doc.edges.map((e) => e.id) }) },
  layout: { enabled: editing, run: (s) => s.layout() },
  mirror: { enabled: editing, run: (s) => s.mirror() },
  'view-editor': { enabled: () => true, run: (s) => s.setView('editor') },
  'view-runs': { enabled: () => true, run: (s) => s.setView('runs') },
  'view-explore': { enabled: () => true, run: (s) => void s.openExplore() },
  'view-score': { enabled: () => true, run: (s) => void s.openModelView('score') },
  'view-lab': { enabled: () => true, run: (s) => void s.openModelView('lab') },
  'view-experiments': { enabled: () => true, run: (s) => s.setView('experiments') },
  sweep: { enabled: (s) => !hasErrors(s.analysis) && s.dataset !== null, run: (s) => s.openSweep(true) },
  'fit-view': { enabled: inEditor, run: (s) => s.fitView() },
  train: {
    // While a run trains, Train queues the graph on screen as the next run.
    enabled: (s) => !hasErrors(s.analysis) && s.info !== null && s.training.status !== 'starting' && !selectTrainMemory(s)?.refusal,
    run: (s) => void s.startTraining(),
    whyDisabled: (s) => {
      const error = s.analysis.diagnostics.find((d) => d.severity === 'error' && !d.nodeId) ?? s.analysis.diagnostics.find((d) => d.severity === 'error');
      if (error) return `Fix the graph first: ${error.message}`;
      if (!s.info) return 'Connecting to the backend…';
      const refusal = selectTrainMemory(s)?.refusal;
      if (refusal) return `Too big to train: ${refusal}`;
      return s.training.status === 'starting' ? 'A run is starting' : null;
    },
  },
  pause: { enabled: (s) => s.training.status === 'running' && s.training.runId !== null, run: (s) => void s.pauseTraining() },
  resume: { enabled: (s) => s.training.status === 'paused' && s.training.runId !== null, run: (s) => void s.resumeTraining() },
  // A queued run can be stopped too (it leaves the queue); a run already stopping cannot.
  stop: { enabled: (s) => ['queued', 'running', 'paused'].includes(s.training.status) && s.training.runId !== null, run: (s) => void s.stopTraining() },
  shortcuts: { enabled: () => true, run: (s) => s.showShortcuts(true) },
  guide: { enabled: (s) => s.info !== null, run: (s) => void s.showPlace('guide') },
  'docs-folder': { enabled: (s) => s.info !== null, run: (s) => void s.showPlace('docs') },
  'workspace-folder': { enabled: (s) => s.info !== null, run: (s) => void s.showPlace('workspace') },
  // Says so when the trash is empty; a trash not read yet may hold runs.
  'empty-trash': { enabled: (s) => s.trash === null || s.trash.runs > 0, run: (s) => void s.emptyTrash() },
};

function behaviourOf(info: CommandInfo): Behaviour {
  if (info.id.startsWith('template-')) {
    const name = info.id.slice('template-'.length) as TemplateName;
    return { enabled: always, run: (s) => s.loadTemplate(name) };
  }
  const b = BEHAVIOUR[info.id];
  if (!b) throw new Error(`command "${info.id}" has no behaviour`);
  return b;
}

export const COMMANDS: Command[] = COMMAND_INFO.map((info) => ({ ...info, ...behaviourOf(info) }));

export function command(id: string): Command {
  const found = COMMANDS.find((c) => c.id === id);
  if (!found) throw new Error(`no command "${id}"`);
  return found;
}

/** Whether this is a Mac, where "Mod" is ⌘. */
export const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

export function shortcutLabel(shortcut: string | undefined, mac = IS_MAC): string {
  if (!shortcut) return '';
  return shortcut.replace('Mod', mac ? '⌘' : 'Ctrl').replace('Alt', mac ? '⌥' : 'Alt');
}

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** Whether a key event is this shortcut ("Mod+Shift+Z", "Delete", …). */
export function matches(shortcut: string, e: KeyLike, mac = IS_MAC): boolean {
  const parts = shortcut.split('+');
  const key = parts.at(-1)!;
  if (parts.includes('Mod') !== (mac ? e.metaKey : e.ctrlKey)) return false;
  if (parts.includes('Alt') !== e.altKey) return false;
  const wantsShift = parts.includes('Shift');
  if (wantsShift && !e.shiftKey) return false;
  // Shift is part of some symbols themselves ("/" is Shift+7 on many layouts): for those it is not checked.
  if (!wantsShift && e.shiftKey && /^[a-z0-9]$/i.test(key)) return false;
  return e.key.toLowerCase() === key.toLowerCase();
}

/**
 * The command a key press asks for. Where two share a key (Pause and Resume), the enabled one wins.
 */
export function commandForKey(e: KeyLike, state: AppState | null = null, mac = IS_MAC): Command | null {
  const candidates = COMMANDS.filter((c) => [c.shortcut, ...(c.aliases ?? [])].some((k) => k !== undefined && matches(k, e, mac)));
  if (state) return candidates.find((c) => c.enabled(state)) ?? candidates[0] ?? null;
  return candidates[0] ?? null;
}
