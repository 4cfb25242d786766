import { useApp } from '../store/context';
import { selectDirty } from '../store/store';

/** The graph's name, where it is saved, and whether it has unsaved changes: heads the graph's summary. */
export function GraphTitle() {
  const name = useApp((s) => s.doc.name);
  const dirty = useApp(selectDirty);
  const filePath = useApp((s) => s.filePath);
  return (
    <span className="canvas__title" title={filePath ?? 'not saved yet'} data-testid="graph-title">
      {name}
      {dirty && (
        <span className="dirty" data-testid="dirty-marker" title="Unsaved changes">
          {' '}
          •
        </span>
      )}
    </span>
  );
}
