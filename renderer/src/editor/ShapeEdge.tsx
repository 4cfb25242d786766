import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath, Position, ViewportPortal, type Edge, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';

export interface ShapeEdgeData extends Record<string, unknown> {
  /** The tensor shape the wire carries ("28×28×1"), or "?" while unknown. */
  shape: string;
  /** It runs behind a block it does not connect (wires.ts): it is drawn over the blocks too. */
  over?: boolean;
}

export type ShapeFlowEdge = Edge<ShapeEdgeData, 'shape'>;

/**
 * A wire with its shape written beside it: above a wire that runs across, right of one that runs
 * down, so the label never sits on the wire's ends (its handles and arrowhead).
 */
export const ShapeEdge = memo(function ShapeEdge({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, markerEnd, data, interactionWidth }: EdgeProps<ShapeFlowEdge>) {
  const [path, labelX, labelY] = getSmoothStepPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  const down = (targetPosition === Position.Top || targetPosition === Position.Bottom) && Math.abs(targetX - sourceX) < 1;
  // Above the wire by more than a handle's radius (4), so it clears the handles even where it is as wide as the gap.
  const place = down ? 'translate(6px, -50%)' : 'translate(-50%, calc(-100% - 5px))';
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} interactionWidth={interactionWidth} />
      {data?.over && (
        // Drawn again, dashed, in the layer over the blocks, so it never looks connected to a block it
        // passes; the wire itself stays under them, so the blocks it crosses take clicks as before.
        <ViewportPortal>
          <svg className="edge-over" data-over-edge={id} aria-hidden>
            <path d={path} />
          </svg>
        </ViewportPortal>
      )}
      <EdgeLabelRenderer>
        {/* React Flow's own label class as well: styles and tests find every wire's shape by it. */}
        <div className={`react-flow__edge-text edge-label${down ? ' edge-label--beside' : ''}`} data-edge={id} style={{ transform: `translate(${labelX}px, ${labelY}px) ${place}` }}>
          {data?.shape ?? '?'}
        </div>
      </EdgeLabelRenderer>
    </>
  );
});
