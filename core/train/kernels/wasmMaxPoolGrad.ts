/**
 * MaxPoolGrad for the wasm backend. tfjs-backend-wasm 4.22's own kernel returns a wrong gradient
 * for most images and channels of most shapes (so every layer below a MaxPool2D learned from a
 * wrong gradient) and costs about as much as a convolution. This one reads a pixel's channels together,
 * keeps each channel's running maximum, and sends dy to the first maximum of each window, the
 * position the cpu backend chooses on ties.
 */
import { backend_util, type KernelFunc, type MaxPoolGradAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike, WasmKernelArgs } from './wasmBackend';

function maxPoolGrad(args: WasmKernelArgs<{ dy: TensorInfo; input: TensorInfo }>): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { dy, input } = args.inputs;
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as MaxPoolGradAttrs;
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dx = backend.makeOutput(input.shape, 'float32');
  const dxData = backend.typedArrayFromHeap(dx);
  const xData = backend.typedArrayFromHeap(input);
  const dyData = backend.typedArrayFromHeap(dy);
  dxData.fill(0);
  const best = new Float32Array(channels);
  const where = new Int32Array(channels);
  let out = 0;
  for (let b = 0; b < batchSize; b++) {
    const xBatch = b * inHeight * inWidth * channels;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = Math.max(0, oy * strideHeight - top);
      const y1 = Math.min(inHeight, oy * strideHeight - top + fh);
      for (let ox = 0; ox < outWidth; ox++, out += channels) {
        const x0 = Math.max(0, ox * strideWidth - left);
        const x1 = Math.min(inWidth, ox * strideWidth - left + fw);
        best.fill(-Infinity);
        where.fill(-1);
        for (let y = y0; y < y1; y++) {
          for (let x = x0; x < x1; x++) {
            const at = xBatch + (y * inWidth + x) * channels;
            for (let c = 0; c < channels; c++) {
              const v = xData[at + c]!;
              if (v > best[c]! || where[c] === -1) {
                best[c] = v;
                where[c] = at + c;
              }
            }
          }
        }
        for (let c = 0; c < channels; c++) {
          const at = where[c]!;
          if (at >= 0) dxData[at] = dxData[at]! + dyData[out + c]!;
        }
      }
    }
  }
  return dx;
}

export const makeMaxPoolGrad = (): KernelFunc => maxPoolGrad as unknown as KernelFunc;
