import { useApp, useAppStore } from '../store/context';

export function NoticeBar() {
  const store = useAppStore();
  const notice = useApp((s) => s.notice);
  const view = useApp((s) => s.view);
  // A notice about the graph means nothing in the Runs view: it waits for the Design view.
  if (!notice || (notice.view && notice.view !== view)) return null;
  return (
    <div
      className={`notice notice--${notice.kind}`}
      role={notice.kind === 'error' ? 'alert' : 'status'}
      data-testid="notice"
      // Pointing at a notice (or tabbing into it) holds it: it does not time out while being read.
      onMouseEnter={() => store.getState().holdNotice(true)}
      onMouseLeave={() => store.getState().holdNotice(false)}
      onFocus={() => store.getState().holdNotice(true)}
      onBlur={() => store.getState().holdNotice(false)}
    >
      <span>{notice.text}</span>
      {notice.action && (
        <button type="button" className="btn btn--small notice__action" data-testid="notice-action" onClick={notice.action.run}>
          {notice.action.label}
        </button>
      )}
      <button type="button" className="notice__close" aria-label="Dismiss" onClick={() => store.getState().setNotice(null)}>
        ×
      </button>
    </div>
  );
}
