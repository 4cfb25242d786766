import { GraphTitle } from './GraphTitle';
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
  type Edge,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { blockSpec, isBlockKind, withDefaults } from '../../../core/blocks/registry';
import { formatShape } from '../../../core/blocks/types';
import { connectionProblem } from '../../../core/graph/edits';
import { nodeHeights } from '../../../core/graph/layout';
import type { XY } from '../../../core/graph/types';
import { formatBytes } from '../../../core/format';
import { blockRoles, errorsFor, notesFor } from '../../../core/shapes/infer';
import { estimateTrainingMemory } from '../../../core/shapes/memory';
import { useApp, useAppStore } from '../store/context';
import { isTraining } from '../store/store';
import { BlockNode, type BlockFlowNode } from './BlockNode';
import { BLOCK_MIME, Palette } from './Palette';

const NODE_TYPES = { block: BlockNode };
/**
 * Fit the graph to the canvas, but never past 100 %: a small graph stays at its natural size. The
 * left margin keeps the zoom buttons off the blocks.
 */
const FIT = { padding: { top: '20px', bottom: '20px', left: '60px', right: '24px' }, maxZoom: 1 } as const;
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
  const locked = useApp((s) => isTraining(s.training.status));
  const memory = useMemo(() => estimateTrainingMemory(doc, analysis), [doc, analysis]);
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
  const [edges, setEdges] = useState<Edge[]>([]);
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
    const roles = blockRoles(doc, analysis);
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
          label: shape ? formatShape(shape) : '?',
          className: shape ? 'edge' : 'edge edge--unknown',
          labelBgPadding: [6, 3] as [number, number],
          labelBgBorderRadius: 4,
          type: 'smoothstep',
          markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
        };
      }),
    );
  }, [doc.edges, analysis.edgeShapes, selection.edges]);

  const syncSelection = (ns: BlockFlowNode[], es: Edge[]) =>
    setSelection({ nodes: ns.filter((n) => n.selected).map((n) => n.id), edges: es.filter((e) => e.selected).map((e) => e.id) });

  const onNodesChange = (changes: NodeChange<BlockFlowNode>[]) => {
    const next = applyNodeChanges(changes.filter((c) => c.type !== 'remove'), nodes);
    setNodes(next);
    if (changes.some((c) => c.type === 'select')) syncSelection(next, edges);
  };
  const onEdgesChange = (changes: EdgeChange[]) => {
    const next = applyEdgeChanges(changes.filter((c) => c.type !== 'remove'), edges);
    setEdges(next);
    if (changes.some((c) => c.type === 'select')) syncSelection(nodes, next);
  };

  const addAt = useCallback(
    (kind: string, clientX: number, clientY: number) => {
      if (!isBlockKind(kind)) return;
      const p = flow.screenToFlowPosition({ x: clientX, y: clientY });
      addBlock(kind, { x: Math.round(p.x - 80), y: Math.round(p.y - 40) });
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
      <Palette onAdd={addAtCentre} disabled={locked} />
      <div className="canvas" data-testid="graph-canvas" data-total-params={analysis.totalParams} data-node-count={doc.nodes.length}>
        <div className="canvas__summary" data-testid="graph-summary">
          <GraphTitle />
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
          {analysis.inputShape && <span>input {formatShape(analysis.inputShape)}</span>}
          {memory && (
            <span title="Estimated peak memory of training: weights, optimizer state, gradients and activations for one batch" data-testid="train-memory">
              ≈ {formatBytes(memory.bytes)} to train
            </span>
          )}
        </div>
        <div className="canvas__flow" ref={flowArea}>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={NODE_TYPES}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onNodeDragStop={(_e, _node, dragged) => moveNodes(Object.fromEntries(dragged.map((n) => [n.id, { x: Math.round(n.position.x), y: Math.round(n.position.y) }])))}
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
          nodesDraggable={!locked}
          nodesConnectable={!locked}
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
