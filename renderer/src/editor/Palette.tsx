import { PALETTE, blockSpec } from '../../../core/blocks/registry';
import type { BlockKind } from '../../../core/graph/types';

export const BLOCK_MIME = 'application/x-bottleneck-block';

/** Blocks to drag onto the canvas; Enter or double-click adds one at the centre of the view. */
export function Palette({ onAdd }: { onAdd: (kind: BlockKind) => void }) {
  return (
    <nav className="palette" aria-label="Blocks">
      {PALETTE.map(({ group, kinds }) => (
        <section key={group} className="palette__group">
          <h3 className="palette__title">{group}</h3>
          {kinds.map((kind) => {
            const spec = blockSpec(kind);
            return (
              <div
                key={kind}
                role="button"
                tabIndex={0}
                className={`palette__item palette__item--${spec.group}`}
                data-testid={`palette-${kind}`}
                draggable
                title={`${spec.description} Drag onto the canvas, or press Enter.`}
                onDragStart={(e) => {
                  e.dataTransfer.setData(BLOCK_MIME, kind);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
                onDoubleClick={() => onAdd(kind)}
                onKeyDown={(e) => e.key === 'Enter' && onAdd(kind)}
              >
                {spec.label}
              </div>
            );
          })}
        </section>
      ))}
    </nav>
  );
}
