/**
 * Conv2DBackpropFilter for the wasm backend, which tfjs 4.22 lacks (so no Conv2D could train there).
 * dW = im2col(x)ᵀ · dy: the patches are laid out already transposed (K × P, K = kh·kw·cin,
 * P = batch·outH·outW) so that the product runs in the backend's fast untransposed matmul kernel.
 */
import { backend_util, Conv2DBackpropFilter, getKernel, registerKernel, type Conv2DBackpropFilterAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';

/** The slice of the wasm backend this kernel uses (its class is not exported in a typed way). */
interface WasmBackendLike {
  wasm: { cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void };
  dataIdMap: { get(dataId: object): { id: number } };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
  disposeData(dataId: object): boolean;
}

let batchMatMul: ((...args: unknown[]) => void) | null = null;

const shapeBytes = (shape: number[]) => new Uint8Array(new Int32Array(shape).buffer);

function conv2DBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: unknown; attrs: unknown }): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, dy } = args.inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as Conv2DBackpropFilterAttrs;
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  if (format !== 'channelsLast') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, format);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const K = filterHeight * filterWidth * inChannels;
  const P = batchSize * outHeight * outWidth;

  const cols = backend.makeOutput([1, K, P], 'float32');
  // Views are taken after every allocation: growing the wasm heap detaches older ones.
  const colsData = backend.typedArrayFromHeap(cols);
  const xData = backend.typedArrayFromHeap(x);
  for (let fr = 0; fr < filterHeight; fr++) {
    for (let fc = 0; fc < filterWidth; fc++) {
      for (let ci = 0; ci < inChannels; ci++) {
        const row = ((fr * filterWidth + fc) * inChannels + ci) * P;
        let p = 0;
        for (let b = 0; b < batchSize; b++) {
          const xBatch = b * inHeight * inWidth * inChannels;
          for (let yr = 0; yr < outHeight; yr++) {
            const xr = yr * strideHeight + fr - top;
            const rowInside = xr >= 0 && xr < inHeight;
            for (let yc = 0; yc < outWidth; yc++, p++) {
              const xc = yc * strideWidth + fc - left;
              colsData[row + p] = rowInside && xc >= 0 && xc < inWidth ? xData[xBatch + (xr * inWidth + xc) * inChannels + ci]! : 0;
            }
          }
        }
      }
    }
  }
  const out = backend.makeOutput([1, K, outChannels], 'float32');
  batchMatMul!(
    backend.dataIdMap.get(cols.dataId).id,
    shapeBytes([1, K, P]),
    3,
    backend.dataIdMap.get(dy.dataId).id,
    shapeBytes([1, P, outChannels]),
    3,
    false,
    false,
    backend.dataIdMap.get(out.dataId).id,
  );
  backend.disposeData(cols.dataId);
  return { ...out, shape: [filterHeight, filterWidth, inChannels, outChannels] };
}

export const wasmConv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  setupFunc: (backend) => {
    batchMatMul = (backend as unknown as WasmBackendLike).wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
  },
  kernelFunc: conv2DBackpropFilter as unknown as KernelConfig['kernelFunc'],
};

/** Registers the kernels the wasm backend is missing for training; call before setBackend('wasm'). */
export function registerWasmTrainingKernels(): void {
  if (!getKernel(Conv2DBackpropFilter, 'wasm')) registerKernel(wasmConv2DBackpropFilterConfig);
}
