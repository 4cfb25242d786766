/**
 * The two convolution gradients for the wasm backend. tfjs-backend-wasm 4.22 has no
 * Conv2DBackpropFilter (so no Conv2D could train there) and a scalar Conv2DBackpropInput (the
 * gradient of every Conv2D and the forward pass of every Conv2DTranspose) that runs 5–10 times
 * slower than the forward convolution. Both are rewritten here in terms of the backend's fast
 * paths (XNNPACK's convolution and matmul, its Transpose), with what is left done in JS.
 */
import { backend_util, Conv2D, Transpose, type Conv2DBackpropFilterAttrs, type Conv2DBackpropInputAttrs, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { callWasmKernel, wasmMatMul, type WasmBackendLike, type WasmKernelArgs } from './wasmBackend';

/**
 * Patch rows filled by one pass over x, which is read in order a pixel's channels at a time; more
 * rows written side by side would collide in the cache (they lie P floats apart).
 */
const ROWS_PER_PASS = 8;
type Shape4 = [number, number, number, number];

function channelsLastInfo(xShape: Shape4, filterShape: Shape4, attrs: Conv2DBackpropFilterAttrs | Conv2DBackpropInputAttrs, kernel: string): backend_util.Conv2DInfo {
  const format = backend_util.convertConv2DDataFormat(attrs.dataFormat);
  if (format !== 'channelsLast') throw new Error(`${kernel} on wasm supports NHWC only`);
  return backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, format);
}

/**
 * dW as one XNNPACK convolution: with the batch as the channels that are summed over,
 * dW[ci, fr, fc, co] = Σ_b,y,x xᵀ[ci, y·s + fr, x·s + fc, b] · dyᵀ[y, x, b, co], a convolution of
 * xᵀ (CHWN) with dyᵀ (HWNC) as its filter, dilated by the stride. Null where the padding would
 * have to be negative (a valid convolution that leaves input rows unread).
 */
function filterGradByConvolution(backend: WasmBackendLike, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  const { inHeight, inWidth, outHeight, outWidth, filterHeight: kh, filterWidth: kw, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const bottom = kh - 1 + (outHeight - 1) * strideHeight + 1 - inHeight - top;
  const right = kw - 1 + (outWidth - 1) * strideWidth + 1 - inWidth - left;
  if (bottom < 0 || right < 0) return null;
  const xT = callWasmKernel(Transpose, { x }, backend, { perm: [3, 1, 2, 0] });
  const dyT = callWasmKernel(Transpose, { x: dy }, backend, { perm: [1, 2, 0, 3] });
  const pad = [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
  const gradT = callWasmKernel(Conv2D, { x: xT, filter: dyT }, backend, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [strideHeight, strideWidth] });
  backend.disposeData(xT.dataId);
  backend.disposeData(dyT.dataId);
  const grad = callWasmKernel(Transpose, { x: gradT }, backend, { perm: [1, 2, 0, 3] });
  backend.disposeData(gradT.dataId);
  return grad;
}

/**
 * dW = im2col(x)ᵀ · dy, for the shapes the convolution above cannot take. The patches are written
 * already transposed (K × P, K = kh·kw·cin, P = batch·outH·outW) so that the product is the
 * backend's fast untransposed matmul: [K × P] · [P × cout].
 */
function filterGradByIm2Col(backend: WasmBackendLike, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const K = filterHeight * filterWidth * inChannels;
  const P = batchSize * outHeight * outWidth;

  const cols = backend.makeOutput([1, K, P], 'float32');
  const colsData = backend.typedArrayFromHeap(cols);
  const xData = backend.typedArrayFromHeap(x);
  const rowWidth = inWidth * inChannels;
  for (let fr = 0; fr < filterHeight; fr++) {
    for (let fc = 0; fc < filterWidth; fc++) {
      for (let c0 = 0; c0 < inChannels; c0 += ROWS_PER_PASS) {
        const c1 = Math.min(c0 + ROWS_PER_PASS, inChannels);
        const rows = ((fr * filterWidth + fc) * inChannels + c0) * P;
        let p = 0;
        for (let b = 0; b < batchSize; b++) {
          const xBatch = b * inHeight * rowWidth;
          for (let yr = 0; yr < outHeight; yr++) {
            const xr = yr * strideHeight + fr - top;
            const rowInside = xr >= 0 && xr < inHeight;
            const xRow = xBatch + xr * rowWidth;
            for (let yc = 0; yc < outWidth; yc++, p++) {
              const xc = yc * strideWidth + fc - left;
              if (rowInside && xc >= 0 && xc < inWidth) {
                const from = xRow + xc * inChannels;
                for (let ci = c0, to = rows + p; ci < c1; ci++, to += P) colsData[to] = xData[from + ci]!;
              } else {
                for (let ci = c0, to = rows + p; ci < c1; ci++, to += P) colsData[to] = 0;
              }
            }
          }
        }
      }
    }
  }
  const out = backend.makeOutput([1, K, outChannels], 'float32');
  wasmMatMul(backend, cols, dy, out, K, P, outChannels);
  backend.disposeData(cols.dataId);
  return { ...out, shape: [filterHeight, filterWidth, inChannels, outChannels] };
}

function conv2DBackpropFilter(args: WasmKernelArgs<{ x: TensorInfo; dy: TensorInfo }>): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { x, dy } = args.inputs;
  const attrs = args.attrs as Conv2DBackpropFilterAttrs;
  const info = channelsLastInfo(x.shape as Shape4, attrs.filterShape as Shape4, attrs, 'Conv2DBackpropFilter');
  return filterGradByConvolution(backend, x, dy, info) ?? filterGradByIm2Col(backend, x, dy, info);
}

/** A float tensor in wasm memory filled by `fill` (views of it are valid only inside `fill`). */
function makeFilled(backend: WasmBackendLike, shape: number[], fill: (data: Float32Array) => void): TensorInfo {
  const t = backend.makeOutput(shape, 'float32');
  fill(backend.typedArrayFromHeap(t));
  return t;
}

/**
 * Stride 1: dx is the correlation of dy with the filter turned 180° and its channel axes swapped,
 * padded by k − 1 − pad: one call of the backend's XNNPACK Conv2D, the same work as the forward pass.
 */
function inputGradByConvolution(backend: WasmBackendLike, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, inChannels: cin, outChannels: cout } = info;
  const flipped = makeFilled(backend, [kh, kw, cout, cin], (f) => {
    const w = backend.typedArrayFromHeap(filter);
    for (let fr = 0; fr < kh; fr++)
      for (let fc = 0; fc < kw; fc++)
        for (let ci = 0; ci < cin; ci++)
          for (let co = 0; co < cout; co++) f[(((kh - 1 - fr) * kw + (kw - 1 - fc)) * cout + co) * cin + ci] = w[((fr * kw + fc) * cin + ci) * cout + co]!;
  });
  const { top, bottom, left, right } = info.padInfo;
  const pad = [
    [0, 0],
    [kh - 1 - top, kh - 1 - bottom],
    [kw - 1 - left, kw - 1 - right],
    [0, 0],
  ];
  const dx = callWasmKernel(Conv2D, { x: dy, filter: flipped }, backend, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1] });
  backend.disposeData(flipped.dataId);
  return dx;
}

/**
 * Any stride: the patch gradients cols = dy · Wᵀ ([P × cout] · [cout × K], the fast matmul), then
 * col2im adds each patch back where it came from (contiguous runs of cin floats).
 */
function inputGradByCol2Im(backend: WasmBackendLike, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels: cin, outHeight, outWidth, outChannels: cout, filterHeight: kh, filterWidth: kw, strideHeight, strideWidth } = info;
  const K = kh * kw * cin;
  const P = batchSize * outHeight * outWidth;
  const filterT = makeFilled(backend, [1, cout, K], (t) => {
    const w = backend.typedArrayFromHeap(filter);
    for (let k = 0; k < K; k++) for (let co = 0; co < cout; co++) t[co * K + k] = w[k * cout + co]!;
  });
  const cols = backend.makeOutput([1, P, K], 'float32');
  wasmMatMul(backend, dy, filterT, cols, P, cout, K);
  backend.disposeData(filterT.dataId);
  const dx = backend.makeOutput([batchSize, inHeight, inWidth, cin], 'float32');
  const dxData = backend.typedArrayFromHeap(dx);
  const colsData = backend.typedArrayFromHeap(cols);
  dxData.fill(0);
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  let patch = 0;
  for (let b = 0; b < batchSize; b++) {
    const xBatch = b * inHeight * inWidth * cin;
    for (let yr = 0; yr < outHeight; yr++) {
      for (let yc = 0; yc < outWidth; yc++, patch += K) {
        for (let fr = 0; fr < kh; fr++) {
          const xr = yr * strideHeight + fr - top;
          if (xr < 0 || xr >= inHeight) continue;
          for (let fc = 0; fc < kw; fc++) {
            const xc = yc * strideWidth + fc - left;
            if (xc < 0 || xc >= inWidth) continue;
            const to = xBatch + (xr * inWidth + xc) * cin;
            const from = patch + (fr * kw + fc) * cin;
            for (let ci = 0; ci < cin; ci++) dxData[to + ci] = dxData[to + ci]! + colsData[from + ci]!;
          }
        }
      }
    }
  }
  backend.disposeData(cols.dataId);
  return dx;
}

function conv2DBackpropInput(args: WasmKernelArgs<{ dy: TensorInfo; filter: TensorInfo }>): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const { dy, filter } = args.inputs;
  const attrs = args.attrs as Conv2DBackpropInputAttrs;
  const info = channelsLastInfo(attrs.inputShape as Shape4, filter.shape as Shape4, attrs, 'Conv2DBackpropInput');
  return info.strideHeight === 1 && info.strideWidth === 1 ? inputGradByConvolution(backend, dy, filter, info) : inputGradByCol2Im(backend, dy, filter, info);
}

export const makeConv2DBackpropFilter = (): KernelFunc => conv2DBackpropFilter as unknown as KernelFunc;
export const makeConv2DBackpropInput = (): KernelFunc => conv2DBackpropInput as unknown as KernelFunc;
