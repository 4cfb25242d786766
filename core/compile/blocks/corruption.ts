import { corruptionTerms, type Corruption } from '../../train/corruption';
import type { DropoutParams, GaussianNoiseParams } from '../../blocks/regularizers';
import type { RandomMaskParams } from '../../blocks/randomMask';
import type { GraphNode } from '../../graph/types';
import { corrupt } from '../ops/noise';
import { TO_NCHW } from '../ops/layout';
import type { BlockCompiler } from './types';

/** The corruption a training-only block applies. */
export function corruptionOf(node: GraphNode, params: Record<string, unknown>): Corruption {
  switch (node.kind) {
    case 'Dropout':
      return { kind: 'dropout', rate: (params as unknown as DropoutParams).rate };
    case 'GaussianNoise':
      return { kind: 'gaussian', stddev: (params as unknown as GaussianNoiseParams).stddev };
    case 'RandomMask': {
      const p = params as unknown as RandomMaskParams;
      return { kind: 'mask', shape: p.shape, count: p.count, size: p.size, fill: p.fill };
    }
    default:
      throw new Error(`block "${node.id}" (${node.kind}) is not a corruption`);
  }
}

/**
 * Dropout, GaussianNoise and RandomMask: x·keep + add with terms drawn on the host for every row
 * (NHWC, as images are read; turned to NCHW here when the image is), identity outside training.
 */
export const corruption: BlockCompiler = {
  noise(node, params, inShape, seed) {
    const c = corruptionOf(node, params);
    if (c.kind === 'dropout' && c.rate === 0) return null;
    const terms = corruptionTerms(c);
    return { layer: node.id, seed, corruption: c, rowShape: [...inShape], keep: terms.keep ? `${node.id}/keep` : null, add: terms.add ? `${node.id}/add` : null };
  },
  forward(b, x) {
    const spec = corruption.noise!(b.node, b.params, b.inShape, 0);
    if (!b.op.training || !spec) return x;
    const term = (name: string | null) => {
      if (!name) return null;
      const value = b.noise(name);
      return x.layout === 'NCHW' ? b.op.g.op('Transpose', [value], { perm: { ints: TO_NCHW } }, `${name}_nchw`) : value;
    };
    return { ...x, name: corrupt(b.op, x.name, term(spec.keep), term(spec.add), b.node.id) };
  },
};
