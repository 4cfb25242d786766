/**
 * What our wasm kernels share: the slice of the tfjs wasm backend they use (its class is not
 * exported in a typed way) and the backend's own fast matmul.
 */
import { getKernel, type TensorInfo } from '@tensorflow/tfjs-core';

export interface WasmBackendLike {
  wasm: { cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void };
  dataIdMap: { get(dataId: object): { id: number } };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  /** A view of the tensor's memory; growing the wasm heap detaches it, so take views after every allocation. */
  typedArrayFromHeap(info: TensorInfo): Float32Array;
  disposeData(dataId: object): boolean;
}

export type WasmKernelArgs<I> = { inputs: I; backend: unknown; attrs: unknown };

const matMuls = new WeakMap<object, (...args: unknown[]) => void>();
const shapeBytes = (shape: number[]) => new Uint8Array(new Int32Array(shape).buffer);

/**
 * out (M × N) = a (M × K) · b (K × N) in the backend's untransposed matmul (XNNPACK), the one fast
 * path tfjs-backend-wasm 4.22 has. `out` must already be allocated with M·N floats.
 */
export function wasmMatMul(backend: WasmBackendLike, a: TensorInfo, b: TensorInfo, out: TensorInfo, m: number, k: number, n: number): void {
  let matMul = matMuls.get(backend);
  if (!matMul) {
    matMul = backend.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
    matMuls.set(backend, matMul);
  }
  const id = (t: TensorInfo) => backend.dataIdMap.get(t.dataId).id;
  matMul(id(a), shapeBytes([1, m, k]), 3, id(b), shapeBytes([1, k, n]), 3, false, false, id(out));
}

/** Calls another wasm kernel of the backend (the one registered now) from inside ours. */
export function callWasmKernel(name: string, inputs: Record<string, TensorInfo>, backend: unknown, attrs: Record<string, unknown>): TensorInfo {
  const kernel = getKernel(name, 'wasm');
  if (!kernel) throw new Error(`the wasm backend has no ${name} kernel`);
  return (kernel.kernelFunc as unknown as (args: unknown) => TensorInfo)({ inputs, backend, attrs });
}
