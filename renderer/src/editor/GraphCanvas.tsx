import { GraphTitle } from './GraphTitle';
import { TrainingChip } from './TrainingChip';
import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  Controls,
  MarkerType,
  MiniMap,
  Position,
  ReactFlow,
  useReactFlow,
  useUpdateNodeInternals,
  type Connection,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { blockSpec, isBlockKind, withDefaults } from '../../../core/blocks/registry';
import { formatShape } from '../../../core/blocks/types';
import { connectionProblem } from '../../../core/graph/edits';
import { NODE_WIDTH, nodeHeights } from '../../../core/graph/layout';
import { pushApart } from '../../../core/graph/spacing';
import type { XY } from '../../../core/graph/types';
import { formatBytes } from '../../../core/format';
import { blockRoles, errorsFor, notesFor } from '../../../core/shapes/infer';
import { useApp, useAppStore } from '../store/context';
import { selectTrainMemory } from '../store/trainMemory';
import { BlockNode, type BlockFlowNode } from './BlockNode';
import { BLOCK_MIME, Palette } from './Palette';
import { ShapeEdge, type ShapeFlowEdge } from './ShapeEdge';
import { wiresOverBlocks } from './wires';

const NODE_TYPES = { block: BlockNode };
const EDGE_TYPES = { shape: ShapeEdge };
/**
 * Fit the graph to the canvas, but never past 125 %: a small graph stays near its natural size. The
 * left margin keeps the zoom buttons off the blocks.
 */
const FIT = { padding: { top: '10px', bottom: '10px', left: '60px', right: '20px' }, maxZoom: 1.25 } as const;
/** The overview map pays off only for graphs too large to read whole. */
const MINIMAP_FROM_BLOCKS = 16;

/** The side of `from` that faces `to`: left or right, or top/bottom when one sits right above the other. */
function facing(from: XY, to: XY | undefined, fallback: Position): Position {
  if (!to) return fallback;
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  if (Math.abs(dx) < 40 && Math.abs(dy) > 40) return dy > 0 ? Position.Bottom : Position.Top;
  return dx < 0 ? Position.Left : Position.Right;
}

export function GraphCanvas() {
  const doc = useApp((s) => s.doc);
  const analysis = useApp((s) => s.analysis);
  const selection = useApp((s) => s.selection);
  const memory = useApp(selectTrainMemory);
  const { moveNodes, setSelection, addBlock, connect } = useAppStore().getState();
  const flow = useReactFlow();
  const updateNodeInternals = useUpdateNodeInternals();
  /** Handle sides as last drawn: React Flow keeps each node's handle positions until told they moved. */
  const sides = useRef(new Map<string, string>());
  const [moved, setMoved] = useState<string[]>([]);
  useEffect(() => {
    if (moved.length) updateNodeInternals(moved);
  }, [moved, updateNodeInternals]);
  const [nodes, setNodes] = useState<BlockFlowNode[]>([]);
  const [edges, setEdges] = useState<ShapeFlowEdge[]>([]);
  const loads = useApp((s) => s.viewResets);
  /** Set once the user pans or zooms: until then the graph keeps fitting the canvas as the window changes. */
  const userMoved = useRef(false);
  const flowArea = useRef<HTMLDivElement>(null);
  useEffect(() => {
    userMoved.current = false;
    // After React Flow has measured the new document's nodes.
    const id = requestAnimationFrame(() => requestAnimationFrame(() => void flow.fitView(FIT)));
    return () => cancelAnimationFrame(id);
  }, [loads, flow]);
  useEffect(() => {
    const el = flowArea.current;
    if (!el) return;
    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (!userMoved.current) void flow.fitView(FIT);
      });
    });
    observer.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
    };
  }, [flow]);

  // React Flow keeps measurements and drag state on its node objects: merge the derived data in.
  useEffect(() => {
    const roles = blockRoles(doc);
    const heights = nodeHeights(doc, analysis);
    const selected = new Set(selection.nodes);
    const positionOf = new Map(doc.nodes.map((n) => [n.id, n.position]));
    const neighbour = (id: string, end: 'source' | 'target') => {
      const edge = doc.edges.find((e) => (end === 'source' ? e.target === id : e.source === id));
      return edge ? positionOf.get(end === 'source' ? edge.source : edge.target) : undefined;
    };
    // A reloaded template keeps node ids whose neighbours now sit elsewhere: their handles must be re-measured.
    const changed: string[] = [];
    const sideOf = (id: string, position: XY) => `${facing(position, neighbour(id, 'source'), Position.Left)}/${facing(position, neighbour(id, 'target'), Position.Right)}`;
    for (const n of doc.nodes) {
      const side = sideOf(n.id, n.position);
      if (sides.current.has(n.id) && sides.current.get(n.id) !== side) changed.push(n.id);
      sides.current.set(n.id, side);
    }
    if (changed.length) setMoved(changed);
    setNodes((previous) => {
      const before = new Map(previous.map((n) => [n.id, n]));
      return doc.nodes.map((n) => {
        const spec = blockSpec(n.kind);
        const old = before.get(n.id);
        return {
          ...old,
          id: n.id,
          type: 'block' as const,
          position: old?.dragging ? old.position : n.position,
          selected: selected.has(n.id),
          data: {
            kind: spec.label,
            summary: spec.summary(withDefaults(n.kind, n.params)),
            role: roles[n.id] ?? 'encoder',
            shape: analysis.nodeShapes[n.id] ?? null,
            params: analysis.paramCounts[n.id] ?? null,
            errors: errorsFor(analysis, n.id).map((d) => d.message),
            notes: notesFor(analysis, n.id).map((d) => ({ severity: d.severity as 'warning' | 'info', message: d.message })),
            hasInput: spec.inputs > 0,
            inLinked: doc.edges.some((e) => e.target === n.id),
            hasOutput: n.kind !== 'Output',
            trainingOnly: spec.trainingOnly === true,
            height: heights[n.id]!,
            inSide: facing(n.position, neighbour(n.id, 'source'), Position.Left),
            outSide: facing(n.position, neighbour(n.id, 'target'), Position.Right),
          },
        };
      });
    });
  }, [doc, analysis, selection.nodes]);

  useEffect(() => {
    const selected = new Set(selection.edges);
    setEdges(
      doc.edges.map((e) => {
        const shape = analysis.edgeShapes[e.id];
        return {
          id: e.id,
          source: e.source,
          target: e.target,
          selected: selected.has(e.id),
          data: { shape: shape ? formatShape(shape) : '?' },
          className: shape ? 'edge' : 'edge edge--unknown',
          type: 'shape' as const,
          markerEnd: { type: MarkerType.ArrowClosed, width: 14, height: 14 },
        };
      }),
    );
  }, [doc.edges, analysis.edgeShapes, selection.edges]);

  // Blocks that grew past their layout height (a message, a long name) push the ones under them down;
  // a block being dragged stays under the pointer.
  const shown = useMemo(() => {
    const offsets = pushApart(
      nodes.filter((n) => !n.dragging).map((n) => ({ id: n.id, x: n.position.x, y: n.position.y, width: n.measured?.width ?? NODE_WIDTH, layoutHeight: n.data.height, height: n.measured?.height ?? n.data.height })),
    );
    return nodes.map((n) => (offsets[n.id] ? { ...n, position: { x: n.position.x, y: n.position.y + offsets[n.id]! } } : n));
  }, [nodes]);
  // A wire that runs behind a block it does not connect is drawn over it too, dashed, so it never looks connected to it.
  const shownEdges = useMemo(() => {
    const over = wiresOverBlocks(
      shown.map((n) => ({ id: n.id, box: { ...n.position, width: n.measured?.width ?? NODE_WIDTH, height: n.measured?.height ?? n.data.height }, inSide: n.data.inSide, outSide: n.data.outSide })),
      edges,
    );
    return over.size ? edges.map((e) => (over.has(e.id) ? { ...e, data: { ...e.data!, over: true } } : e)) : edges;
  }, [shown, edges]);

  const syncSelection = (ns: BlockFlowNode[], es: ShapeFlowEdge[]) =>
    setSelection({ nodes: ns.filter((n) => n.selected).map((n) => n.id), edges: es.filter((e) => e.selected).map((e) => e.id) });

  const onNodesChange = (changes: NodeChange<BlockFlowNode>[]) => {
    const next = applyNodeChanges(changes.filter((c) => c.type !== 'remove'), nodes);
    setNodes(next);
    if (changes.some((c) => c.type === 'select')) syncSelection(next, edges);
  };
  const onEdgesChange = (changes: EdgeChange<ShapeFlowEdge>[]) => {
    const next = applyEdgeChanges(changes.filter((c) => c.type !== 'remove'), edges);
    setEdges(next);
    if (changes.some((c) => c.type === 'select')) syncSelection(nodes, next);
  };

  const addAt = useCallback(
    (kind: string, clientX: number, clientY: number) => {
      if (!isBlockKind(kind)) return;
      const p = flow.screenToFlowPosition({ x: clientX, y: clientY });
      addBlock(kind, { x: Math.round(p.x - NODE_WIDTH / 2), y: Math.round(p.y - 40) });
    },
    [flow, addBlock],
  );
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    addAt(e.dataTransfer.getData(BLOCK_MIME), e.clientX, e.clientY);
  };
  const addAtCentre = (kind: string) => {
    const el = document.querySelector('.canvas .react-flow')!.getBoundingClientRect();
    addAt(kind, el.left + el.width / 2, el.top + el.height / 2);
  };

  return (
    <div className="editor">
      <Palette onAdd={addAtCentre} />
      <div className="canvas" data-testid="graph-canvas" data-total-params={analysis.totalParams} data-node-count={doc.nodes.length}>
        <div className="canvas__summary" data-testid="graph-summary">
          <GraphTitle />
          <TrainingChip />
          <span>
            <b data-testid="total-params">{analysis.totalParams.toLocaleString('en')}</b> parameters
          </span>
          {analysis.codeSize !== null && (
            <span>
              code <b data-testid="code-size">{analysis.codeSize}</b>
            </span>
          )}
          {analysis.compressionRatio !== null && (
            <span title="input size / code size">
              compression <b data-testid="compression">{analysis.compressionRatio >= 10 ? analysis.compressionRatio.toFixed(1) : analysis.compressionRatio.toFixed(2)}×</b>
            </span>
          )}
          {analysis.inputShape && <span className="summary__input">input {formatShape(analysis.inputShape)}</span>}
          {memory && (
            <span
              className={memory.refusal ? 'summary__memory--over' : undefined}
              title={memory.refusal ? `Too big to train: ${memory.refusal}` : 'Estimated peak memory of training: weights, optimizer state, gradients and activations for one batch'}
              data-testid="train-memory"
            >
              ≈ {formatBytes(memory.estimate.bytes)} to train{memory.refusal && memory.limit !== null && `, over the ${formatBytes(memory.limit)} limit`}
            </span>
          )}
        </div>
        <div className="canvas__flow" ref={flowArea}>
        <ReactFlow
          nodes={shown}
          edges={shownEdges}
          nodeTypes={NODE_TYPES}
          edgeTypes={EDGE_TYPES}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onNodeDragStop={(_e, _node, dragged) =>
            // A grown block is drawn centred on its laid-out place (see pushApart): keep that place, not the drawn top.
            moveNodes(Object.fromEntries(dragged.map((n) => [n.id, { x: Math.round(n.position.x), y: Math.round(n.position.y + Math.max(0, (n.measured?.height ?? 0) - n.data.height) / 2) }])))
          }
          onConnect={(c: Connection) => connect(c.source, c.target)}
          onMoveStart={(event) => {
            // Only a move the user made (a programmatic fit has no event).
            if (event) userMoved.current = true;
          }}
          isValidConnection={(c) => connectionProblem(doc, c.source, c.target) === null}
          onDragOver={(e) => {
            e.preventDefault();
            e.dataTransfer.dropEffect = 'copy';
          }}
          onDrop={onDrop}
          deleteKeyCode={null}
          fitView
          fitViewOptions={FIT}
          minZoom={0.1}
          maxZoom={2}
          onlyRenderVisibleElements
          proOptions={{ hideAttribution: true }}
        >
          <Background gap={24} size={1} color="#2a313c" />
          <Controls showInteractive={false} />
          {doc.nodes.length >= MINIMAP_FROM_BLOCKS && (
            <MiniMap position="bottom-right" style={{ width: 150, height: 90 }} pannable zoomable nodeColor={(n) => ((n.data as { role?: string }).role === 'bottleneck' ? '#f0b429' : '#3b4a5e')} maskColor="rgba(10,12,16,0.6)" />
          )}
        </ReactFlow>
        </div>
        {doc.nodes.length <= 2 && doc.edges.length === 0 && (
          <div className="canvas__hint">Drag blocks from the left onto the canvas, then connect each block's right handle to the next block's left handle.</div>
        )}
      </div>
    </div>
  );
}
