import type { ActivationParams } from '../../blocks/regularizers';
import { activation as activationOp } from '../ops/activation';
import type { BlockCompiler } from './types';

export const activation: BlockCompiler = {
  forward: (b, x) => ({ ...x, name: activationOp(b.op, x.name, (b.params as unknown as ActivationParams).activation, b.node.id) }),
};
