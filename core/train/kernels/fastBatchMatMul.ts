/**
 * BatchMatMul for the wasm backend with transposed operands at the speed of the plain product.
 * tfjs-backend-wasm 4.22 runs an untransposed product through XNNPACK but a transposed one through
 * a slow scalar loop (about 1 GFLOP/s against 16), and backprop asks for transposes on every Dense
 * layer (dx = dy·Wᵀ, dW = xᵀ·dy). This kernel transposes the operand explicitly (the wasm Transpose
 * kernel, cheap next to the product) and hands the product to the original, untransposed kernel.
 */
import { Transpose, type BatchMatMulAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { callWasmKernel, type WasmBackendLike, type WasmKernelArgs } from './wasmBackend';

function swapLast2(x: TensorInfo, backend: unknown): TensorInfo {
  const rank = x.shape.length;
  const perm = x.shape.map((_, i) => (i === rank - 2 ? rank - 1 : i === rank - 1 ? rank - 2 : i));
  return callWasmKernel(Transpose, { x }, backend, { perm });
}

export function makeFastBatchMatMul(original: KernelConfig | null): KernelFunc {
  if (!original) throw new Error('the wasm backend has no BatchMatMul kernel to speed up');
  const plain = original.kernelFunc as unknown as (args: unknown) => TensorInfo;
  const fast = (args: WasmKernelArgs<{ a: TensorInfo; b: TensorInfo }>): TensorInfo => {
    const { transposeA, transposeB } = args.attrs as BatchMatMulAttrs;
    if (!transposeA && !transposeB) return plain(args);
    const { a, b } = args.inputs;
    const backend = args.backend as WasmBackendLike;
    const a2 = transposeA ? swapLast2(a, backend) : a;
    const b2 = transposeB ? swapLast2(b, backend) : b;
    const out = plain({ inputs: { a: a2, b: b2 }, backend, attrs: { transposeA: false, transposeB: false } });
    if (a2 !== a) backend.disposeData(a2.dataId);
    if (b2 !== b) backend.disposeData(b2.dataId);
    return out;
  };
  return fast as unknown as KernelFunc;
}
