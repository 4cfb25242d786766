import type { BlockKind } from '../graph/types';
import { bottleneckBlock } from './bottleneck';
import { denseBlock } from './dense';
import { flattenBlock } from './flatten';
import { inputBlock } from './input';
import { outputBlock } from './output';
import { reshapeBlock } from './reshape';
import type { BlockSpec } from './types';

export const BLOCK_KINDS = ['Input', 'Flatten', 'Dense', 'Bottleneck', 'Reshape', 'Output'] as const satisfies readonly BlockKind[];

const REGISTRY: Record<BlockKind, BlockSpec<any>> = {
  Input: inputBlock,
  Flatten: flattenBlock,
  Dense: denseBlock,
  Bottleneck: bottleneckBlock,
  Reshape: reshapeBlock,
  Output: outputBlock,
};

export function blockSpec(kind: BlockKind): BlockSpec<Record<string, unknown>> {
  return REGISTRY[kind];
}

/** The node's params over the block's defaults, so old files missing a new param still load. */
export function withDefaults(kind: BlockKind, params: Record<string, unknown>): Record<string, unknown> {
  return { ...REGISTRY[kind].defaults, ...params };
}
