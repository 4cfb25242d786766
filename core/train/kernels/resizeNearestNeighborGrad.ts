/**
 * ResizeNearestNeighborGrad (the backward pass of UpSampling2D) for the cpu backend, whose own
 * kernel in tfjs-backend-cpu 4.22 reads dy at the image's batch stride instead of dy's, so every
 * image after the first in a batch gets a wrong gradient. This is the exact adjoint of the
 * forward kernel: every dy value is added to the input pixel the forward pass copied it from.
 */
import type { KernelFunc, ResizeNearestNeighborGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';

/** The input row (or column) each output row reads in ResizeNearestNeighbor, as tfjs computes it. */
export function nearestSources(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): Int32Array {
  const effectiveIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effectiveOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  const ratio = effectiveIn / effectiveOut;
  const sources = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const frac = halfPixelCenters ? ratio * (o + 0.5) : ratio * o;
    const nearest = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
    sources[o] = halfPixelCenters ? Math.max(0, nearest) : nearest;
  }
  return sources;
}

/** dx for images of `imageShape` (NHWC) from dy, both dense row-major. */
export function nearestNeighborGrad(imageShape: number[], dyShape: number[], dy: Float32Array, alignCorners: boolean, halfPixelCenters: boolean): Float32Array {
  const [batch, inHeight, inWidth, channels] = imageShape as [number, number, number, number];
  const [, outHeight, outWidth] = dyShape as [number, number, number, number];
  const rows = nearestSources(inHeight, outHeight, alignCorners, halfPixelCenters);
  const cols = nearestSources(inWidth, outWidth, alignCorners, halfPixelCenters);
  const dx = new Float32Array(batch * inHeight * inWidth * channels);
  let from = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outHeight; r++) {
      const rowStart = (b * inHeight + rows[r]!) * inWidth * channels;
      for (let c = 0; c < outWidth; c++) {
        const to = rowStart + cols[c]! * channels;
        for (let ch = 0; ch < channels; ch++) dx[to + ch] = dx[to + ch]! + dy[from++]!;
      }
    }
  }
  return dx;
}

/** The slice of the cpu backend this kernel uses. */
interface CpuBackendLike {
  data: { get(dataId: object): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

function cpuResizeNearestNeighborGrad(args: { inputs: { images: TensorInfo; dy: TensorInfo }; backend: unknown; attrs: unknown }): TensorInfo {
  const backend = args.backend as CpuBackendLike;
  const { images, dy } = args.inputs;
  const attrs = args.attrs as ResizeNearestNeighborGradAttrs & { halfPixelCenters?: boolean };
  const dyValues = Float32Array.from(backend.data.get(dy.dataId).values);
  return backend.makeTensorInfo(images.shape, 'float32', nearestNeighborGrad(images.shape, dy.shape, dyValues, attrs.alignCorners, attrs.halfPixelCenters ?? false));
}

export const makeCpuResizeNearestNeighborGrad = (): KernelFunc => cpuResizeNearestNeighborGrad as unknown as KernelFunc;
