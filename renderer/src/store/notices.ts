/**
 * The notice bar's rules: how long a notice stays, and what it is about, so it goes when that goes.
 * Information times out (longer when it offers an action, such as Undo); an error stays until the user
 * dismisses it or its context is gone. Pointing at a notice holds it.
 */
import type { View } from './runsSlice';

/**
 * What a notice is about. 'view': the view it was raised in (the default), leaving it ends the notice;
 * 'graph': the graph on the canvas (the default for notices shown in the Design view), replaced by
 * another; 'edit': the graph as it is now, changed by the next edit; a run: the run on the dashboard.
 */
export type NoticeContext = 'view' | 'graph' | 'edit' | { runId: string };

export interface Notice {
  kind: 'error' | 'info';
  text: string;
  /** One button beside the text, e.g. Undo after a delete. */
  action?: { label: string; run: () => void };
  /** Shown in this view only (a graph's problem means nothing in the Runs view), waiting while the user is elsewhere. */
  view?: View;
  /** Cleared by itself once the graph has no errors left (a warning that the graph no longer fits). */
  untilGraphValid?: boolean;
  about?: NoticeContext;
  /** Where it was raised (set by the store). */
  raisedIn?: View;
}

export const INFO_NOTICE_MS = 6000;
/** Long enough to reach its button (Undo). */
export const ACTION_NOTICE_MS = 12_000;

/** How long a notice stays by itself, or null for one that stays until dismissed or outlived. */
export function noticeLifetime(notice: Notice): number | null {
  if (notice.kind !== 'info') return null;
  return notice.action ? ACTION_NOTICE_MS : INFO_NOTICE_MS;
}

export function contextOf(notice: Notice): NoticeContext {
  return notice.about ?? (notice.view === 'editor' ? 'graph' : 'view');
}

/** The parts of the app's state a notice can be about. */
export interface NoticeWorld {
  view: View;
  doc: unknown;
  runId: string | null;
  graphValid: boolean;
}

/** Whether a change of the app's state (before → now) ends what the notice was about. */
export function outlived(notice: Notice, before: NoticeWorld, now: NoticeWorld): boolean {
  if (notice.untilGraphValid && now.graphValid && !before.graphValid) return true;
  const context = contextOf(notice);
  if (context === 'view') return now.view !== (notice.raisedIn ?? before.view);
  if (context === 'edit') return now.doc !== before.doc;
  if (context === 'graph') return false; // replacing the graph clears every notice (graphSlice)
  return now.runId !== context.runId;
}
