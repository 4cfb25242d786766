import type { Activation } from '../../blocks/types';
import { indicator, type OpContext } from './context';

/** tfjs' SELU constants (tfjs-core selu_util); ONNX's defaults differ in the 8th digit. */
export const SELU_SCALE = 1.0507009873554804934193349852946;
export const SELU_SCALEALPHA = 1.7580993408473768599402175208123;

/** The activation applied element-wise; its gradient is written from the output (and, for ELU and SELU, the sign of the input). */
export function activation(ctx: OpContext, x: string, kind: Activation, hint: string): string {
  const { g } = ctx;
  const name = `${hint}/${kind}`;
  let y: string;
  switch (kind) {
    case 'linear':
      return x;
    case 'relu':
      y = g.op('Relu', [x], {}, name);
      break;
    case 'sigmoid':
      y = g.op('Sigmoid', [x], {}, name);
      break;
    case 'tanh':
      y = g.op('Tanh', [x], {}, name);
      break;
    case 'elu':
      y = g.op('Elu', [x], { alpha: { f: 1 } }, name);
      break;
    case 'selu':
      y = g.op('Selu', [x], { alpha: { f: SELU_SCALEALPHA / SELU_SCALE }, gamma: { f: SELU_SCALE } }, name);
      break;
    default:
      throw new Error(`unknown activation "${String(kind)}"`);
  }
  ctx.tape?.record({
    inputs: [x],
    outputs: [y],
    backward: (g, [dy]) => {
      const d = `${hint}/d${kind}`;
      switch (kind) {
        case 'relu':
          // Mul by a cast comparison: ONNX Runtime's Where is several times slower on the CPU.
          return [g.op('Mul', [dy!, indicator(g, g.op('Greater', [y, g.float(0)]))], {}, d)];
        case 'sigmoid':
          return [g.op('Mul', [dy!, g.op('Mul', [y, g.op('Sub', [g.float(1), y])])], {}, d)];
        case 'tanh':
          return [g.op('Mul', [dy!, g.op('Sub', [g.float(1), g.op('Mul', [y, y])])], {}, d)];
        case 'elu':
          // d/dx = 1 for x > 0, else exp(x) = y + 1.
          return [g.op('Mul', [dy!, g.op('Where', [g.op('Greater', [x, g.float(0)]), g.float(1), g.op('Add', [y, g.float(1)])])], {}, d)];
        case 'selu':
          // d/dx = scale for x > 0, else scale·alpha·exp(x) = y + scale·alpha.
          return [g.op('Mul', [dy!, g.op('Where', [g.op('Greater', [x, g.float(0)]), g.float(SELU_SCALE), g.op('Add', [y, g.float(SELU_SCALEALPHA)])])], {}, d)];
        default:
          return [dy!];
      }
    },
  });
  return y;
}
