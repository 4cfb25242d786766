import { CompareView } from './CompareView';
import { ContinueRunDialog } from './ContinueRunDialog';
import { RunNotesDialog } from './RunNotesDialog';
import { RunsList } from './RunsList';

/** Every run kept on disk, and the comparison of the ticked ones: all offline, from the run folders. */
export function RunsView() {
  return (
    <main className="runs-view" aria-label="Runs">
      <RunsList />
      <CompareView />
      <RunNotesDialog />
      <ContinueRunDialog />
    </main>
  );
}
