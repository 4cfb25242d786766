/**
 * BatchMatMul for the wasm backend with transposed operands at the speed of the plain product.
 * tfjs-backend-wasm 4.22 runs an untransposed product through XNNPACK but a transposed one through
 * a slow scalar loop (about 1 GFLOP/s against 16), and backprop asks for transposes on every Dense
 * layer (dx = dy·Wᵀ, dW = xᵀ·dy). This kernel transposes the operand explicitly (the wasm Transpose
 * kernel, cheap next to the product) and hands the product to the original, untransposed kernel.
 */
import { BatchMatMul, getKernel, registerKernel, Transpose, unregisterKernel, type BatchMatMulAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

interface WasmBackendLike {
  disposeData(dataId: object): boolean;
}

let original: KernelConfig | null = null;
let installed: KernelConfig | null = null;

function swapLast2(x: TensorInfo, backend: unknown): TensorInfo {
  const rank = x.shape.length;
  const perm = x.shape.map((_, i) => (i === rank - 2 ? rank - 1 : i === rank - 1 ? rank - 2 : i));
  const transpose = getKernel(Transpose, 'wasm')!.kernelFunc as unknown as (args: unknown) => TensorInfo;
  return transpose({ inputs: { x }, backend, attrs: { perm } });
}

function fastBatchMatMul(args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: unknown; attrs: unknown }): TensorInfo {
  const { transposeA, transposeB } = args.attrs as BatchMatMulAttrs;
  const plain = original!.kernelFunc as unknown as (a: unknown) => TensorInfo;
  if (!transposeA && !transposeB) return plain(args);
  const { a, b } = args.inputs;
  const backend = args.backend as WasmBackendLike;
  const a2 = transposeA ? swapLast2(a, backend) : a;
  const b2 = transposeB ? swapLast2(b, backend) : b;
  const out = plain({ inputs: { a: a2, b: b2 }, backend, attrs: { transposeA: false, transposeB: false } });
  if (a2 !== a) backend.disposeData(a2.dataId);
  if (b2 !== b) backend.disposeData(b2.dataId);
  return out;
}

/** Replaces the wasm BatchMatMul kernel (once); call after the wasm backend is imported, before setBackend. */
export function registerFastBatchMatMul(): void {
  const current = getKernel(BatchMatMul, 'wasm');
  if (!current || current === installed) return;
  original = current;
  unregisterKernel(BatchMatMul, 'wasm');
  installed = { ...current, kernelFunc: fastBatchMatMul as unknown as KernelFunc };
  registerKernel(installed);
}

/** Puts the backend's own kernel back (for tests that compare against it). */
export function unregisterFastBatchMatMul(): void {
  if (!original || getKernel(BatchMatMul, 'wasm') !== installed) return;
  unregisterKernel(BatchMatMul, 'wasm');
  registerKernel(original);
  installed = null;
}
