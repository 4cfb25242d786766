import { MENU_LABELS, MENU_ORDER } from '../../../core/commands';
import { COMMANDS, shortcutLabel } from '../commands';
import { useApp, useAppStore } from '../store/context';
import { Modal } from './Dialogs';

/** Every command that has a key, by menu: the same list the menus and the keyboard use. */
export function ShortcutsDialog() {
  const store = useAppStore();
  const open = useApp((s) => s.shortcutsOpen);
  if (!open) return null;
  const close = () => store.getState().showShortcuts(false);
  return (
    <Modal title="Keyboard shortcuts" onClose={close} testId="shortcuts-dialog" wide>
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
      </div>
      <div className="modal__actions">
        <button type="button" className="btn" onClick={close}>
          Close
        </button>
      </div>
    </Modal>
  );
}
