import { BOTTLENECK_KINDS, withDefaults } from '../blocks/registry';
import { product, type Shape } from '../blocks/types';
import { analyzeGraph } from '../shapes/infer';
import { edgeId, nextNodeId } from './edits';
import { autoLayout } from './layout';
import type { BlockKind, GraphDoc, GraphNode } from './types';

type Planned = { kind: BlockKind; params: Record<string, unknown> };

/** The decoder layer that undoes one encoder layer: maps `output` back to `input`. */
function mirrorOf(node: GraphNode, input: Shape): Planned | null {
  const p = withDefaults(node.kind, node.params);
  switch (node.kind) {
    case 'Dense':
      return { kind: 'Dense', params: { units: product(input), activation: p.activation } };
    case 'Conv2D':
      return {
        kind: 'Conv2DTranspose',
        params: { filters: input[2], kernelSize: p.kernelSize, strides: p.strides, padding: p.padding, activation: p.activation },
      };
    case 'MaxPool2D':
      return { kind: 'UpSampling2D', params: { size: p.strides } };
    case 'Flatten':
      return { kind: 'Reshape', params: { targetShape: [...input] } };
    case 'Reshape':
      return input.length === 1 ? { kind: 'Flatten', params: {} } : { kind: 'Reshape', params: { targetShape: [...input] } };
    default:
      // Noise, dropout, batch norm and activations have no mirror image in a decoder.
      return null;
  }
}

export class MirrorError extends Error {
  override name = 'MirrorError';
}

/**
 * Rebuilds the decoder as the mirror image of the encoder: Dense sizes reversed, Conv2D to
 * Conv2DTranspose, pooling to upsampling, Flatten to Reshape. The last layer with weights gets a
 * sigmoid (BCE expects outputs in [0, 1]). Replaces every block between the bottleneck and the Output.
 */
export function mirrorDecoder(doc: GraphDoc): GraphDoc {
  const analysis = analyzeGraph(doc);
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const input = doc.nodes.find((n) => n.kind === 'Input');
  const bottleneck = doc.nodes.find((n) => BOTTLENECK_KINDS.includes(n.kind));
  const output = doc.nodes.find((n) => n.kind === 'Output');
  if (!input || !bottleneck || !output) throw new MirrorError('mirroring needs an Input, a bottleneck and an Output');
  // Walk back from the bottleneck to the Input: the encoder chain.
  const encoder: GraphNode[] = [];
  let cursor = doc.edges.find((e) => e.target === bottleneck.id)?.source;
  while (cursor && cursor !== input.id) {
    encoder.unshift(byId.get(cursor)!);
    cursor = doc.edges.find((e) => e.target === cursor)?.source;
  }
  if (cursor !== input.id) throw new MirrorError('the encoder must connect the Input to the bottleneck');
  const inputOf = (n: GraphNode): Shape | undefined => {
    const src = doc.edges.find((e) => e.target === n.id)?.source;
    return src ? analysis.nodeShapes[src] : undefined;
  };
  const codeInput = inputOf(bottleneck);
  if (!codeInput || encoder.some((n) => !inputOf(n))) throw new MirrorError('fix the encoder first: its shapes must be known to mirror it');

  const planned: Planned[] = [{ kind: 'Dense', params: { units: product(codeInput), activation: 'relu' } }];
  for (const n of [...encoder].reverse()) {
    const m = mirrorOf(n, inputOf(n)!);
    if (m) planned.push(m);
  }
  const lastWeighted = planned.map((p) => p.kind === 'Dense' || p.kind === 'Conv2DTranspose').lastIndexOf(true);
  planned.forEach((p, i) => {
    if (p.kind === 'Dense' || p.kind === 'Conv2DTranspose') p.params.activation = i === lastWeighted ? 'sigmoid' : 'relu';
  });

  // Drop the old decoder (everything reachable from the bottleneck, but the Output).
  const old = new Set<string>();
  const stack = doc.edges.filter((e) => e.source === bottleneck.id).map((e) => e.target);
  while (stack.length) {
    const id = stack.pop()!;
    if (id === output.id || old.has(id)) continue;
    old.add(id);
    stack.push(...doc.edges.filter((e) => e.source === id).map((e) => e.target));
  }
  let next: GraphDoc = {
    ...doc,
    nodes: doc.nodes.filter((n) => !old.has(n.id)),
    edges: doc.edges.filter((e) => !old.has(e.source) && !old.has(e.target) && e.source !== bottleneck.id && e.target !== output.id),
  };
  let previous = bottleneck.id;
  for (const p of planned) {
    const id = nextNodeId(next, p.kind);
    next = { ...next, nodes: [...next.nodes, { id, kind: p.kind, params: p.params, position: { x: 0, y: 0 } }] };
    next = { ...next, edges: [...next.edges, { id: edgeId(previous, id), source: previous, target: id }] };
    previous = id;
  }
  next = { ...next, edges: [...next.edges, { id: edgeId(previous, output.id), source: previous, target: output.id }] };
  return autoLayout(next);
}
