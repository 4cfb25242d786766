import type { OpContext } from './context';

/** y = x·W + b for x [N, in], W [in, out] (tfjs' kernel layout), b [out]. */
export function linear(ctx: OpContext, x: string, kernel: string, bias: string, hint: string): string {
  const { g } = ctx;
  const y = g.op('Gemm', [x, kernel, bias], {}, `${hint}/gemm`);
  ctx.tape?.record({
    inputs: [x, kernel, bias],
    outputs: [y],
    backward: (g, [dy], needed) => [
      needed[0] ? g.op('Gemm', [dy!, kernel], { transB: { i: 1 } }, `${hint}/dx`) : null,
      needed[1] ? g.op('Gemm', [x, dy!], { transA: { i: 1 } }, `${hint}/dkernel`) : null,
      needed[2] ? g.op('ReduceSum', [dy!, g.int64([0])], { keepdims: { i: 0 } }, `${hint}/dbias`) : null,
    ],
  });
  return y;
}
