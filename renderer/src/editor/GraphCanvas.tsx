import { applyNodeChanges, Background, Controls, MarkerType, MiniMap, ReactFlow, type Edge, type NodeChange } from '@xyflow/react';
import { useEffect, useMemo, useState } from 'react';
import { blockSpec, withDefaults } from '../../../core/blocks/registry';
import { formatShape } from '../../../core/blocks/types';
import { blockRoles, errorsFor } from '../../../core/shapes/infer';
import { useApp } from '../store/store';
import { BlockNode, type BlockFlowNode } from './BlockNode';

const NODE_TYPES = { block: BlockNode };

export function GraphCanvas() {
  const doc = useApp((s) => s.doc);
  const analysis = useApp((s) => s.analysis);
  const selectedNodeId = useApp((s) => s.selectedNodeId);
  const { moveNode, select } = useApp.getState();
  const [nodes, setNodes] = useState<BlockFlowNode[]>([]);

  // React Flow keeps measurements and drag state on its node objects: merge the derived data in.
  useEffect(() => {
    const roles = blockRoles(doc, analysis);
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
          selected: n.id === selectedNodeId,
          data: {
            kind: spec.label,
            summary: spec.summary(withDefaults(n.kind, n.params)),
            role: roles[n.id] ?? 'encoder',
            shape: analysis.nodeShapes[n.id] ?? null,
            params: analysis.paramCounts[n.id] ?? null,
            errors: errorsFor(analysis, n.id).map((d) => d.message),
            hasInput: spec.inputs > 0,
            hasOutput: n.kind !== 'Output',
          },
        };
      });
    });
  }, [doc, analysis, selectedNodeId]);

  const edges = useMemo<Edge[]>(
    () =>
      doc.edges.map((e) => {
        const shape = analysis.edgeShapes[e.id];
        return {
          id: e.id,
          source: e.source,
          target: e.target,
          label: shape ? formatShape(shape) : '?',
          className: shape ? 'edge' : 'edge edge--unknown',
          labelBgPadding: [6, 3] as [number, number],
          labelBgBorderRadius: 4,
          markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
        };
      }),
    [doc.edges, analysis.edgeShapes],
  );

  const onNodesChange = (changes: NodeChange<BlockFlowNode>[]) => {
    setNodes((ns) => applyNodeChanges(changes, ns));
    for (const change of changes) {
      if (change.type === 'position' && change.position && change.dragging === false) moveNode(change.id, change.position);
      if (change.type === 'select' && change.selected) select(change.id);
    }
  };

  return (
    <div className="canvas" data-testid="graph-canvas" data-total-params={analysis.totalParams}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={onNodesChange}
        onNodeDragStop={(_e, node) => moveNode(node.id, node.position)}
        onPaneClick={() => select(null)}
        fitView
        fitViewOptions={{ padding: 0.12 }}
        minZoom={0.2}
        maxZoom={2}
        nodesConnectable={false}
        deleteKeyCode={null}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={24} size={1} color="#2a313c" />
        <Controls showInteractive={false} />
        <MiniMap pannable zoomable nodeColor={(n) => (n.data as { role?: string }).role === 'bottleneck' ? '#f0b429' : '#3b4a5e'} maskColor="rgba(10,12,16,0.6)" />
      </ReactFlow>
      <div className="canvas__summary" data-testid="graph-summary">
        <span>
          <b data-testid="total-params">{analysis.totalParams.toLocaleString('en')}</b> parameters
        </span>
        {analysis.codeSize !== null && (
          <span>
            code <b>{analysis.codeSize}</b>
          </span>
        )}
        {analysis.compressionRatio !== null && (
          <span title="input size / code size">
            compression <b>{analysis.compressionRatio.toFixed(1)}×</b>
          </span>
        )}
        {analysis.inputShape && <span>input {formatShape(analysis.inputShape)}</span>}
      </div>
    </div>
  );
}
