/**
 * The desktop app's menu bar, built from the same command list as the toolbar and the keyboard
 * (core/commands.ts). A click sends the command's id to the window, which runs it if it is enabled;
 * the window reports which commands are enabled (app:menu-state) and the items follow.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { COMMAND_INFO, MENU_LABELS, MENU_ORDER, TEXT_EDIT_SHORTCUTS, toAccelerator, type CommandInfo } from '../../core/commands';


/**
 * The accelerator shown beside an item. Windows and Linux show it without registering it (the window's
 * own key handling runs the command, and leaves typing in fields alone); on macOS a registered key
 * equivalent is the only way, so keys a text field needs, and keys without ⌘, stay unregistered.
 */
function acceleratorFor(info: CommandInfo, platform: NodeJS.Platform): Pick<MenuItemConstructorOptions, 'accelerator' | 'registerAccelerator'> {
  if (!info.shortcut) return {};
  if (platform === 'darwin') {
    // Keys that edit text in a focused field: a menu accelerator would take them from the field.
    if (!info.shortcut.startsWith('Mod+') || TEXT_EDIT_SHORTCUTS.has(info.shortcut)) return {};
    return { accelerator: toAccelerator(info.shortcut) };
  }
  return { accelerator: toAccelerator(info.shortcut), registerAccelerator: false };
}

export function menuTemplate(platform: NodeJS.Platform, run: (commandId: string) => void, commands: readonly CommandInfo[] = COMMAND_INFO): MenuItemConstructorOptions[] {
  const item = (info: CommandInfo): MenuItemConstructorOptions => ({ id: info.id, label: info.label, ...acceleratorFor(info, platform), click: () => run(info.id) });
  const menus = MENU_ORDER.map((menu): MenuItemConstructorOptions => {
    const entries: MenuItemConstructorOptions[] = [];
    let group: number | null = null;
    const submenus = new Map<string, MenuItemConstructorOptions[]>();
    for (const info of commands.filter((c) => c.menu === menu)) {
      if (group !== null && info.group !== group) entries.push({ type: 'separator' });
      group = info.group;
      if (info.submenu) {
        let list = submenus.get(info.submenu);
        if (!list) {
          list = [];
          submenus.set(info.submenu, list);
          entries.push({ label: info.submenu, submenu: list });
        }
        list.push(item(info));
      } else entries.push(item(info));
    }
    if (menu === 'view') entries.push({ type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' });
    if (menu === 'file' && platform !== 'darwin') entries.push({ type: 'separator' }, { role: 'quit' });
    return { label: MENU_LABELS[menu], ...(menu === 'help' && { role: 'help' as const }), submenu: entries };
  });
  if (platform === 'darwin') {
    const appMenu: MenuItemConstructorOptions = {
      role: 'appMenu',
      submenu: [{ role: 'about' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }],
    };
    return [appMenu, ...menus.slice(0, 4), { role: 'windowMenu' }, ...menus.slice(4)];
  }
  return menus;
}

/** Every command id the menu bar holds (for applying enabled states). */
export function menuCommandIds(commands: readonly CommandInfo[] = COMMAND_INFO): string[] {
  return commands.map((c) => c.id);
}
