import { MENU_LABELS, MENU_ORDER, MOUSE_GESTURES } from '../../../core/commands';
import { COMMANDS, shortcutLabel } from '../commands';
import { useApp, useAppStore } from '../store/context';
import { Modal } from './Dialogs';

/** Every command that has a key, by menu (the same list the menus and the keyboard use), and what the mouse does. */
export function ShortcutsDialog() {
  const store = useAppStore();
  const open = useApp((s) => s.shortcutsOpen);
  if (!open) return null;
  const close = () => store.getState().showShortcuts(false);
  return (
    <Modal title="Keyboard and mouse" onClose={close} testId="shortcuts-dialog" wide>
      <div className="shortcuts">
        {MENU_ORDER.map((menu) => {
          const keyed = COMMANDS.filter((c) => c.menu === menu && c.shortcut);
          if (!keyed.length) return null;
          return (
            <section key={menu}>
              <h3 className="modal__subtitle">{MENU_LABELS[menu]}</h3>
              <table className="shortcuts__table">
                <tbody>
                  {keyed.map((c) => (
                    <tr key={c.id}>
                      <td>{c.label}</td>
                      <td>
                        {[c.shortcut, ...(c.aliases ?? [])].map((k) => (
                          <kbd key={k} className="menu__shortcut">
                            {shortcutLabel(k)}
                          </kbd>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          );
        })}
        <section className="shortcuts__wide">
          <h3 className="modal__subtitle">Mouse</h3>
          <table className="shortcuts__table">
            <tbody>
              {MOUSE_GESTURES.map((g) => (
                <tr key={g.gesture}>
                  <td>{g.action}</td>
                  <td>
                    <kbd className="menu__shortcut">{shortcutLabel(g.gesture)}</kbd>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
      <div className="modal__actions">
        <button type="button" className="btn" onClick={close}>
          Close
        </button>
      </div>
    </Modal>
  );
}
