import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { formatShape, type Shape } from '../../../core/blocks/types';
import type { BlockRole } from '../../../core/shapes/infer';

export interface BlockNodeData extends Record<string, unknown> {
  kind: string;
  summary: string;
  role: BlockRole;
  shape: Shape | null;
  params: number | null;
  errors: string[];
  notes: { severity: 'warning' | 'info'; message: string }[];
  hasInput: boolean;
  hasOutput: boolean;
  trainingOnly: boolean;
  /** Drawn height: grows with the values the block outputs, so the bottleneck is the waist. */
  height: number;
  /** Sides of the input and output handles, facing the neighbours (a folded layout turns back). */
  inSide: Position;
  outSide: Position;
}

export type BlockFlowNode = Node<BlockNodeData, 'block'>;

export const BlockNode = memo(function BlockNode({ id, data, selected }: NodeProps<BlockFlowNode>) {
  const faulty = data.errors.length > 0;
  return (
    <div
      className={`block block--${data.role}${faulty ? ' block--error' : ''}${selected ? ' block--selected' : ''}`}
      style={{ minHeight: data.height }}
      data-testid={`node-${id}`}
      data-kind={data.kind}
      data-error={faulty ? data.errors.join('; ') : undefined}
    >
      {data.hasInput && <Handle type="target" position={data.inSide} />}
      <div className="block__head">
        <span className={`block__kind${data.kind.length > 12 ? ' block__kind--long' : ''}`}>{data.kind}</span>
        {/* The colour says encoder or decoder too; the word shows where the name leaves room for it. */}
        {(data.role === 'encoder' || data.role === 'decoder') && data.kind.length <= 7 && <span className="block__role">{data.role}</span>}
      </div>
      {(data.summary || data.trainingOnly) && (
        <div className="block__summary">
          {data.summary}
          {data.trainingOnly && <span className="block__train-only" title="Active while training only"> · train only</span>}
        </div>
      )}
      <div className="block__meta">
        <span className="block__shape" data-testid={`shape-${id}`}>
          {formatShape(data.shape)}
        </span>
        <span className="block__params" data-testid={`params-${id}`}>
          {data.params === null ? '' : `${data.params.toLocaleString('en')} params`}
        </span>
      </div>
      {faulty && (
        <div className="block__error" role="alert">
          {data.errors[0]}
        </div>
      )}
      {!faulty &&
        data.notes.map((n) => (
          <div key={n.message} className={`block__note block__note--${n.severity}`} data-testid={`note-${id}`}>
            {n.message}
          </div>
        ))}
      {data.hasOutput && <Handle type="source" position={data.outSide} />}
    </div>
  );
});
