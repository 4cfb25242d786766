import type { VariationalBottleneckParams } from '../../blocks/variationalBottleneck';
import { meanLayerName } from '../../export/deployment';
import { linear } from '../ops/linear';
import { sample } from '../ops/noise';
import { denseParams } from './dense';
import type { BlockCompiler } from './types';

export const logVarLayerName = (vaeNodeId: string) => `${vaeNodeId}-logvar`;
export const samplingLayerName = (vaeNodeId: string) => `${vaeNodeId}-sample`;

/** Mean and log-variance heads on the same input; z = μ + σ·ε while training (ε from the host), μ otherwise. */
export const variationalBottleneck: BlockCompiler = {
  params: (node, p, inShape) => {
    const units = (p as unknown as VariationalBottleneckParams).latentSize;
    return [...denseParams(meanLayerName(node.id), inShape[0]!, units), ...denseParams(logVarLayerName(node.id), inShape[0]!, units)];
  },
  noise: (node, p, _inShape, seed) => ({
    layer: samplingLayerName(node.id),
    seed,
    corruption: { kind: 'gaussian', stddev: 1 },
    rowShape: [(p as unknown as VariationalBottleneckParams).latentSize],
    keep: null,
    add: `${node.id}/epsilon`,
  }),
  forward(b, x) {
    const id = b.node.id;
    const head = (layer: string) => linear(b.op, x.name, b.param(`${layer}/kernel`), b.param(`${layer}/bias`), layer);
    const mean = head(meanLayerName(id));
    const logVar = head(logVarLayerName(id));
    const z = b.op.training ? sample(b.op, mean, logVar, b.noise(`${id}/epsilon`), id) : mean;
    b.setCode(z, { mean, logVar });
    return { name: z, shape: b.outShape, layout: 'flat' };
  },
};
