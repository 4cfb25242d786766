import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { Fragment, memo } from 'react';
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
  /** A wire ends at its input: the arrowhead marks it, and the handle's dot shows only on hover. */
  inLinked: boolean;
  hasOutput: boolean;
  trainingOnly: boolean;
  /** Drawn height: grows with the values the block outputs, so the bottleneck is the waist. */
  height: number;
  /** Sides of the input and output handles, facing the neighbours (a folded layout turns back). */
  inSide: Position;
  outSide: Position;
}

export type BlockFlowNode = Node<BlockNodeData, 'block'>;

/** A block's name with places it may wrap at, between its words ("Conv2D|Transpose"), rather than cut short. */
function breakable(name: string) {
  const words = name.split(/(?=[A-Z][a-z])/);
  return words.map((word, i) => (
    <Fragment key={i}>
      {i > 0 && <wbr />}
      {word}
    </Fragment>
  ));
}


const BRANCH_TITLE = 'A branch: this block is off the path Input → Bottleneck → Output, so the model does not use it.';

export const BlockNode = memo(function BlockNode({ id, data, selected }: NodeProps<BlockFlowNode>) {
  const faulty = data.errors.length > 0;
  return (
    <div
      className={`block block--${data.role}${faulty ? ' block--error' : ''}${selected ? ' block--selected' : ''}`}
      style={{ minHeight: data.height }}
      data-testid={`node-${id}`}
      data-kind={data.kind}
      data-role={data.role}
      data-error={faulty ? data.errors.join('; ') : undefined}
      title={data.role === 'branch' ? BRANCH_TITLE : `${data.kind} · ${data.role}`}
    >
      {data.hasInput && <Handle type="target" position={data.inSide} className={data.inLinked ? 'handle--linked' : undefined} />}
      {/* The side of the code shows in the block's colour (the palette's groups say which is which); a branch says so in words. */}
      {data.role === 'branch' && <div className="block__role">branch · off the path</div>}
      <div className="block__kind">{breakable(data.kind)}</div>
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
      {/* Two lines at most on the canvas, so a message never makes a block cover its neighbour; the Inspector has it whole. */}
      {faulty && (
        <div className="block__error" role="alert" title={data.errors[0]}>
          {data.errors[0]}
        </div>
      )}
      {!faulty &&
        data.notes.map((n) => (
          <div key={n.message} className={`block__note block__note--${n.severity}`} data-testid={`note-${id}`} title={n.message}>
            {n.message}
          </div>
        ))}
      {data.hasOutput && <Handle type="source" position={data.outSide} />}
    </div>
  );
});
