import { autoLayout } from '../graph/layout';
import { DEFAULT_TRAINING, GRAPH_FORMAT, GRAPH_VERSION, type BlockKind, type GraphDoc } from '../graph/types';

export interface ImageSize {
  height: number;
  width: number;
  channels: number;
}

/** Lays a chain of blocks out left to right and connects each to the next. */
export function chainGraph(name: string, blocks: { kind: BlockKind; params?: Record<string, unknown> }[]): GraphDoc {
  const nodes = blocks.map((b, i) => ({
    id: `${b.kind.toLowerCase()}-${i + 1}`,
    kind: b.kind,
    params: b.params ?? {},
    position: { x: i * 215, y: 0 },
  }));
  const edges = nodes.slice(1).map((n, i) => ({ id: `e-${nodes[i]!.id}-${n.id}`, source: nodes[i]!.id, target: n.id }));
  return autoLayout({ format: GRAPH_FORMAT, version: GRAPH_VERSION, name, nodes, edges, training: { ...DEFAULT_TRAINING } });
}

/** A code narrower than the input forces the network to keep only what matters. */
export function undercomplete(image: ImageSize = { height: 28, width: 28, channels: 1 }): GraphDoc {
  const pixels = image.height * image.width * image.channels;
  return chainGraph('Undercomplete autoencoder', [
    { kind: 'Input', params: { ...image } },
    { kind: 'Flatten' },
    { kind: 'Dense', params: { units: 128, activation: 'relu' } },
    { kind: 'Bottleneck', params: { latentSize: 32 } },
    { kind: 'Dense', params: { units: 128, activation: 'relu' } },
    { kind: 'Dense', params: { units: pixels, activation: 'sigmoid' } },
    { kind: 'Reshape', params: { targetShape: [image.height, image.width, image.channels] } },
    { kind: 'Output', params: { loss: 'bce' } },
  ]);
}
