import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

export interface MenuEntry {
  id: string;
  label: string;
  /** A second line under the label (a template's description). */
  detail?: string;
  shortcut?: string;
  enabled: boolean;
  /** Starts a new group: a separator is drawn above it. */
  separator?: boolean;
  run(): void;
}

/**
 * A toolbar menu. Its list is drawn in a layer above the whole window (a portal, fixed position), so
 * no container can clip it, and it stays inside the window's edges. Arrow keys move, Enter runs,
 * Escape or a click elsewhere closes.
 */
export function Menu({ label, testId, entries, disabled = false, wide = false, title }: { label: ReactNode; testId: string; entries: MenuEntry[]; disabled?: boolean; wide?: boolean; title?: string }) {
  const [open, setOpen] = useState(false);
  const [place, setPlace] = useState<{ left: number; top: number } | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLUListElement>(null);

  useLayoutEffect(() => {
    if (!open) setPlace(null);
    if (!open || !button.current) return;
    const anchor = button.current.getBoundingClientRect();
    const width = list.current?.offsetWidth ?? 0;
    // Under the button, moved left where it would run past the window's right edge.
    setPlace({ left: Math.max(8, Math.min(anchor.left, window.innerWidth - width - 8)), top: anchor.bottom + 4 });
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      const target = e.target as Node;
      if (!button.current?.contains(target) && !list.current?.contains(target)) setOpen(false);
    };
    const onResize = () => setOpen(false);
    // Escape closes the menu and nothing else: it must not also reach the window's shortcuts (Stop).
    const onEscape = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      e.preventDefault();
      setOpen(false);
      button.current?.focus();
    };
    window.addEventListener('mousedown', close);
    window.addEventListener('resize', onResize);
    window.addEventListener('keydown', onEscape, true);
    return () => {
      window.removeEventListener('mousedown', close);
      window.removeEventListener('resize', onResize);
      window.removeEventListener('keydown', onEscape, true);
    };
  }, [open]);

  // Focus moves into the list once it is placed (a hidden list cannot take focus).
  useEffect(() => {
    if (open && place) list.current?.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
  }, [open, place]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    const items = [...(list.current?.querySelectorAll<HTMLButtonElement>('button:not(:disabled)') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      items[(at + step + items.length) % items.length]?.focus();
    }
  };

  return (
    <>
      <button
        ref={button}
        type="button"
        className="btn btn--ghost menu__button"
        data-testid={testId}
        aria-haspopup="menu"
        aria-expanded={open}
        disabled={disabled}
        title={title}
        onClick={() => setOpen(!open)}
        onKeyDown={(e) => e.key === 'ArrowDown' && setOpen(true)}
      >
        {label}
      </button>
      {open &&
        createPortal(
          <ul
            ref={list}
            className={`menu__list${wide ? ' menu__list--wide' : ''}`}
            role="menu"
            data-testid={`${testId}-list`}
            style={place ? { left: place.left, top: place.top } : { visibility: 'hidden' }}
            onKeyDown={onKeyDown}
          >
            {entries.map((entry) => (
              <li key={entry.id} role="none" className={entry.separator ? 'menu__group' : undefined}>
                <button
                  type="button"
                  role="menuitem"
                  className="menu__item"
                  data-testid={`menu-${entry.id}`}
                  disabled={!entry.enabled}
                  onClick={() => {
                    setOpen(false);
                    entry.run();
                  }}
                >
                  <span className="menu__label">
                    <span>{entry.label}</span>
                    {entry.detail && <span className="menu__detail">{entry.detail}</span>}
                  </span>
                  {entry.shortcut && <kbd className="menu__shortcut">{entry.shortcut}</kbd>}
                </button>
              </li>
            ))}
          </ul>,
          document.body,
        )}
    </>
  );
}
