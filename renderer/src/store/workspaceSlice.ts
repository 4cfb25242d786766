import type { Place, TrashUsage } from '../../../core/api';
import { formatBytes } from '../../../core/format';
import type { SliceCreator } from './store';

/** A place of the Help menu (and the Runs view's Workspace menu) whose path a dialog shows, to copy. */
export interface ShownPlace {
  place: Place;
  path: string;
}

/** What each place is called, in its dialog's title and in errors. */
export const PLACE_TITLES: Record<Place, string> = { guide: 'Guide', docs: 'Documentation folder', workspace: 'Workspace folder' };

export interface WorkspaceSlice {
  /** The place whose path its dialog shows (browser mode, where nothing on the machine can be opened), else null. */
  shownPlace: ShownPlace | null;
  /** What the trash holds, as last read (the Runs view reads it on opening and after each delete, restore or emptying). */
  trash: TrashUsage | null;
  /** Opens the guide, the documentation folder or the workspace folder with the system (desktop app), or shows its path to copy (browser mode). */
  showPlace(place: Place): Promise<void>;
  closePlace(): void;
  loadTrash(): Promise<void>;
  /** Says what the trash holds and asks; then deletes it for good. */
  emptyTrash(): Promise<void>;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "2 runs, 14 MB". */
export const describeTrash = (t: Pick<TrashUsage, 'runs' | 'bytes'>) => `${plural(t.runs, 'run')}, ${formatBytes(t.bytes)}`;

export const createWorkspaceSlice: SliceCreator<WorkspaceSlice> = ({ api }) => (set, get) => {
  const fail = (what: string) => (err: unknown) => get().setNotice({ kind: 'error', text: `${what}: ${(err as Error).message}` });
  return {
    shownPlace: null,
    trash: null,
    showPlace: async (place) => {
      try {
        const { path, opened } = await api.invoke('app:show-place', { place });
        if (!opened) set({ shownPlace: { place, path } });
      } catch (err) {
        fail(`Could not open the ${PLACE_TITLES[place].toLowerCase()}`)(err);
      }
    },
    closePlace: () => set({ shownPlace: null }),
    loadTrash: async () => {
      try {
        set({ trash: await api.invoke('workspace:trash', {}) });
      } catch {
        // Only a figure beside a button: the emptying itself says what goes wrong.
      }
    },
    emptyTrash: async () => {
      let trash: TrashUsage;
      try {
        trash = await api.invoke('workspace:trash', {});
      } catch (err) {
        fail('Could not read the trash')(err);
        return;
      }
      set({ trash });
      if (trash.runs === 0) {
        get().setNotice({ kind: 'info', text: 'The trash is empty: deleted runs wait there until it is emptied.' });
        return;
      }
      get().confirm({
        title: 'Empty the trash?',
        message: `The trash holds ${describeTrash(trash)} (${trash.path}). Emptying it deletes them for good: they can no longer be restored.`,
        confirmLabel: `Delete ${plural(trash.runs, 'run')} for good`,
        onConfirm: () =>
          void api.invoke('workspace:empty-trash', {}).then((removed) => {
            set({ trash: { ...removed, runs: 0, bytes: 0 } });
            // Any Undo of a delete offered before is void now: this notice replaces it.
            get().setNotice({ kind: 'info', text: `Emptied the trash: ${describeTrash(removed)} deleted for good.` });
          }, fail('Could not empty the trash')),
      });
    },
  };
};
