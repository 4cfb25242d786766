/**
 * Our kernels for the backends that train on this machine. tfjs-backend-wasm 4.22 lacks
 * Conv2DBackpropFilter, gets MaxPoolGrad wrong (for most images and channels of most shapes), and runs
 * transposed BatchMatMul and Conv2DBackpropInput far below the speed of its own XNNPACK paths.
 * tfjs-backend-cpu 4.22 gets ResizeNearestNeighborGrad (UpSampling2D's gradient) wrong for every
 * image after the first of a batch. tfjs-backend-webgpu 4.22 computes every kernel the blocks need
 * correctly (core/train/kernels/backendParity.test.ts); on every backend, the Mean and Sum gradients
 * are ours, which stay on the device (deviceGradients.ts). Call after importing a backend, before or
 * after setBackend.
 */
import { BatchMatMul, Conv2DBackpropFilter, Conv2DBackpropInput, MaxPoolGrad, ResizeNearestNeighborGrad } from '@tensorflow/tfjs-core';
import { registerDeviceGradients } from './deviceGradients';
import { makeFastBatchMatMul } from './fastBatchMatMul';
import { overrideKernel, restoreKernel } from './override';
import { makeCpuResizeNearestNeighborGrad } from './resizeNearestNeighborGrad';
import { makeConv2DBackpropFilter, makeConv2DBackpropInput } from './wasmConvGrads';
import { makeMaxPoolGrad } from './wasmMaxPoolGrad';

/** The wasm kernels replaced for speed alone: restoring them must not change a result beyond rounding. */
const SPEED_ONLY = [BatchMatMul, Conv2DBackpropInput];

export function registerWasmTrainingKernels(): void {
  registerDeviceGradients();
  overrideKernel(Conv2DBackpropFilter, 'wasm', makeConv2DBackpropFilter);
  overrideKernel(MaxPoolGrad, 'wasm', makeMaxPoolGrad);
  overrideKernel(BatchMatMul, 'wasm', makeFastBatchMatMul);
  overrideKernel(Conv2DBackpropInput, 'wasm', makeConv2DBackpropInput);
}

export function registerCpuTrainingKernels(): void {
  registerDeviceGradients();
  overrideKernel(ResizeNearestNeighborGrad, 'cpu', makeCpuResizeNearestNeighborGrad);
}

export function registerWebgpuTrainingKernels(): void {
  registerDeviceGradients();
}

/** Puts back tfjs's own wasm kernels that ours only speed up (for tests that compare the two paths). */
export function restorePlainWasmKernels(): void {
  for (const name of SPEED_ONLY) restoreKernel(name, 'wasm');
}
