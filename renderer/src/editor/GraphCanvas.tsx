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
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import { useCallback, useEffect, useState, type DragEvent } from 'react';
import { blockSpec, isBlockKind, withDefaults } from '../../../core/blocks/registry';
import { formatShape } from '../../../core/blocks/types';
import { connectionProblem } from '../../../core/graph/edits';
import { nodeHeights } from '../../../core/graph/layout';
import type { XY } from '../../../core/graph/types';
import { blockRoles, errorsFor, notesFor } from '../../../core/shapes/infer';
import { isTraining, useApp } from '../store/store';
import { BlockNode, type BlockFlowNode } from './BlockNode';
import { BLOCK_MIME, Palette } from './Palette';

const NODE_TYPES = { block: BlockNode };

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
  const { moveNodes, setSelection, addBlock, connect } = useApp.getState();
  const flow = useReactFlow();
  const [nodes, setNodes] = useState<BlockFlowNode[]>([]);
  const [edges, setEdges] = useState<Edge[]>([]);
  const loads = useApp((s) => s.viewResets);
  useEffect(() => {
    // After React Flow has measured the new document's nodes.
    const id = requestAnimationFrame(() => requestAnimationFrame(() => void flow.fitView({ padding: 0.12 })));
    return () => cancelAnimationFrame(id);
  }, [loads, flow]);

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
        </div>
        <div className="canvas__flow">
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={NODE_TYPES}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onNodeDragStop={(_e, _node, dragged) => moveNodes(Object.fromEntries(dragged.map((n) => [n.id, { x: Math.round(n.position.x), y: Math.round(n.position.y) }])))}
          onConnect={(c: Connection) => connect(c.source, c.target)}
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
          fitViewOptions={{ padding: 0.12 }}
          minZoom={0.1}
          maxZoom={2}
          onlyRenderVisibleElements
          proOptions={{ hideAttribution: true }}
        >
          <Background gap={24} size={1} color="#2a313c" />
          <Controls showInteractive={false} />
          <MiniMap position="bottom-left" style={{ width: 150, height: 90, marginLeft: 54 }} pannable zoomable nodeColor={(n) => ((n.data as { role?: string }).role === 'bottleneck' ? '#f0b429' : '#3b4a5e')} maskColor="rgba(10,12,16,0.6)" />
        </ReactFlow>
        </div>
        {doc.nodes.length <= 2 && doc.edges.length === 0 && (
          <div className="canvas__hint">Drag blocks from the left onto the canvas, then connect each block's right handle to the next block's left handle.</div>
        )}
      </div>
    </div>
  );
}
