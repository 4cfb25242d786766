/**
 * The app's commands as data: id, label, shortcut and where each sits in the menus. Registered once
 * (Excalidraw's actions are the model): the renderer gives each its enabled state and action, and the
 * toolbar, the keyboard, the tooltips and the desktop app's menu bar are all built from this list.
 */
import { TEMPLATE_NAMES, TEMPLATES } from './templates';

export type MenuName = 'file' | 'edit' | 'view' | 'run' | 'help';

export interface CommandInfo {
  id: string;
  label: string;
  /** Key combination: "Mod" is Ctrl, or Cmd on macOS ("Mod+Shift+Z", "Escape"). */
  shortcut?: string;
  /** Other keys that do the same. */
  aliases?: string[];
  menu: MenuName;
  /** Items of one menu are grouped; a separator stands between groups. */
  group: number;
  /** A submenu of its menu (e.g. the templates under File). */
  submenu?: string;
}

const TEMPLATE_COMMANDS: CommandInfo[] = TEMPLATE_NAMES.map((name) => ({
  id: `template-${name}`,
  label: TEMPLATES[name].label,
  menu: 'file',
  group: 0,
  submenu: 'New from template',
}));

export const COMMAND_INFO: readonly CommandInfo[] = [
  { id: 'new', label: 'New', shortcut: 'Mod+Alt+N', menu: 'file', group: 0 },
  ...TEMPLATE_COMMANDS,
  { id: 'open', label: 'Open…', shortcut: 'Mod+O', menu: 'file', group: 1 },
  { id: 'save', label: 'Save', shortcut: 'Mod+S', menu: 'file', group: 2 },
  { id: 'save-as', label: 'Save As…', shortcut: 'Mod+Shift+S', menu: 'file', group: 2 },
  { id: 'dataset', label: 'Choose dataset…', shortcut: 'Mod+Shift+D', menu: 'file', group: 3 },
  { id: 'undo', label: 'Undo', shortcut: 'Mod+Z', menu: 'edit', group: 0 },
  { id: 'redo', label: 'Redo', shortcut: 'Mod+Shift+Z', aliases: ['Mod+Y'], menu: 'edit', group: 0 },
  { id: 'copy', label: 'Copy blocks', shortcut: 'Mod+C', menu: 'edit', group: 1 },
  { id: 'paste', label: 'Paste blocks', shortcut: 'Mod+V', menu: 'edit', group: 1 },
  { id: 'duplicate', label: 'Duplicate', shortcut: 'Mod+D', menu: 'edit', group: 1 },
  { id: 'delete', label: 'Delete', shortcut: 'Delete', aliases: ['Backspace'], menu: 'edit', group: 1 },
  { id: 'select-all', label: 'Select all blocks', shortcut: 'Mod+A', menu: 'edit', group: 1 },
  { id: 'layout', label: 'Auto-layout', shortcut: 'Mod+Shift+L', menu: 'edit', group: 2 },
  { id: 'mirror', label: 'Mirror decoder', shortcut: 'Mod+Shift+M', menu: 'edit', group: 2 },
  { id: 'view-editor', label: 'Design', shortcut: 'Mod+1', menu: 'view', group: 0 },
  { id: 'view-runs', label: 'Runs', shortcut: 'Mod+2', menu: 'view', group: 0 },
  { id: 'view-explore', label: 'Explore', shortcut: 'Mod+3', menu: 'view', group: 0 },
  { id: 'view-score', label: 'Anomalies', shortcut: 'Mod+4', menu: 'view', group: 0 },
  { id: 'view-lab', label: 'Lab', shortcut: 'Mod+5', menu: 'view', group: 0 },
  { id: 'view-experiments', label: 'Experiments', shortcut: 'Mod+6', menu: 'view', group: 0 },
  { id: 'fit-view', label: 'Fit graph to window', shortcut: 'Mod+0', menu: 'view', group: 1 },
  { id: 'train', label: 'Train', shortcut: 'Mod+Enter', menu: 'run', group: 0 },
  { id: 'pause', label: 'Pause', shortcut: 'Mod+P', menu: 'run', group: 0 },
  { id: 'resume', label: 'Resume', shortcut: 'Mod+P', menu: 'run', group: 0 },
  { id: 'stop', label: 'Stop', shortcut: 'Escape', menu: 'run', group: 0 },
  { id: 'sweep', label: 'Sweep…', menu: 'run', group: 1 },
  { id: 'shortcuts', label: 'Keyboard and mouse', shortcut: 'Mod+/', menu: 'help', group: 0 },
  { id: 'guide', label: 'Guide', menu: 'help', group: 1 },
  { id: 'docs-folder', label: 'Documentation folder', menu: 'help', group: 1 },
  { id: 'workspace-folder', label: 'Workspace folder (runs, graphs)', menu: 'help', group: 1 },
  // The Runs view's Workspace menu has it too.
  { id: 'empty-trash', label: 'Empty trash…', menu: 'file', group: 4 },
];

/** Keys a text field needs for its own editing: they never run a command while one has focus. */
export const TEXT_EDIT_SHORTCUTS: ReadonlySet<string> = new Set(['Mod+Z', 'Mod+Shift+Z', 'Mod+Y', 'Mod+C', 'Mod+V', 'Mod+X', 'Mod+A']);

/**
 * Whether a command's key works while a text field has focus: a Mod shortcut that edits no text and
 * acts on no selected blocks (the Edit menu's do), such as switching views, saving or training.
 */
export function worksInTextFields(info: CommandInfo): boolean {
  return info.menu !== 'edit' && info.shortcut !== undefined && info.shortcut.startsWith('Mod+') && !TEXT_EDIT_SHORTCUTS.has(info.shortcut);
}

/** What the mouse does in the editor (React Flow's gestures as the canvas sets them), for the shortcuts dialog. */
export const MOUSE_GESTURES: readonly { gesture: string; action: string }[] = [
  { gesture: 'Drag from the palette', action: 'Add a block there (a double-click or Enter adds it in the middle)' },
  { gesture: 'Drag a right handle to a left handle', action: 'Connect two blocks' },
  { gesture: 'Click', action: 'Select a block or a wire' },
  { gesture: 'Shift+drag', action: 'Select the blocks in a box' },
  { gesture: 'Mod+click', action: 'Add a block to the selection, or take it out' },
  { gesture: 'Drag the background', action: 'Move the view' },
  { gesture: 'Scroll, or pinch', action: 'Zoom' },
  { gesture: 'Double-click a run’s name', action: 'Rename the run (Runs)' },
];

export const MENU_LABELS: Record<MenuName, string> = { file: 'File', edit: 'Edit', view: 'View', run: 'Run', help: 'Help' };
export const MENU_ORDER: readonly MenuName[] = ['file', 'edit', 'view', 'run', 'help'];

export function commandInfo(id: string): CommandInfo {
  const found = COMMAND_INFO.find((c) => c.id === id);
  if (!found) throw new Error(`no command "${id}"`);
  return found;
}

/** "Mod+Shift+Z" as an Electron accelerator ("CmdOrCtrl+Shift+Z"). */
export function toAccelerator(shortcut: string): string {
  return shortcut
    .split('+')
    .map((part) => (part === 'Mod' ? 'CmdOrCtrl' : part === '/' ? '/' : part))
    .join('+');
}
