import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { COMMAND_INFO } from '../../core/commands';
import { menuTemplate } from './menu';

function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((m) => [m, ...(Array.isArray(m.submenu) ? items(m.submenu) : [])]);
}

describe('the desktop menu bar', () => {
  it('holds every registered command once, with its label, and a click runs it by id', () => {
    const ran: string[] = [];
    const all = items(menuTemplate('linux', (id) => ran.push(id)));
    for (const info of COMMAND_INFO) {
      const found = all.filter((i) => i.id === info.id);
      expect(found, info.id).toHaveLength(1);
      expect(found[0]!.label).toBe(info.label);
      (found[0]!.click as () => void)();
    }
    expect(ran).toEqual(COMMAND_INFO.map((c) => c.id));
  });

  it('has File, Edit, View, Run and Help, and no default Electron menu', () => {
    expect(menuTemplate('linux', () => {}).map((m) => m.label)).toEqual(['File', 'Edit', 'View', 'Run', 'Help']);
    const mac = menuTemplate('darwin', () => {});
    expect(mac[0]!.role).toBe('appMenu');
    expect(mac.map((m) => m.label ?? m.role)).toEqual(['appMenu', 'File', 'Edit', 'View', 'Run', 'windowMenu', 'Help']);
  });

  it('shows accelerators from the shortcuts; Windows and Linux leave the keys to the window', () => {
    const all = items(menuTemplate('win32', () => {}));
    const save = all.find((i) => i.id === 'save')!;
    expect(save).toMatchObject({ accelerator: 'CmdOrCtrl+S', registerAccelerator: false });
    expect(all.find((i) => i.id === 'stop')).toMatchObject({ accelerator: 'Escape' });
  });

  it('on macOS registers no key a text field needs (copy, paste, undo) and none without ⌘', () => {
    const all = items(menuTemplate('darwin', () => {}));
    for (const id of ['copy', 'paste', 'undo', 'redo', 'select-all', 'stop', 'delete']) expect(all.find((i) => i.id === id)!.accelerator, id).toBeUndefined();
    expect(all.find((i) => i.id === 'save')!.accelerator).toBe('CmdOrCtrl+S');
    expect(all.find((i) => i.id === 'train')!.accelerator).toBe('CmdOrCtrl+Enter');
  });

  it('puts the templates in a File submenu', () => {
    const file = menuTemplate('linux', () => {})[0]!;
    const sub = (file.submenu as MenuItemConstructorOptions[]).find((i) => i.label === 'New from template')!;
    expect((sub.submenu as MenuItemConstructorOptions[]).map((i) => i.id)).toEqual(COMMAND_INFO.filter((c) => c.submenu).map((c) => c.id));
  });
});
