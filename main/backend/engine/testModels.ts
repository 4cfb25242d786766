/** For the export and inference tests: weights that exercise every term, real images, and ONNX models run in onnxruntime-node. */
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { buildEvalModel, EVAL_NAMES } from '../../../core/compile/evalModel';
import { joinFlat } from '../../../core/compile/flatParams';
import { initialParams } from '../../../core/compile/init';
import { modelLayouts, STEP_NAMES } from '../../../core/compile/stepModel';
import { planModel } from '../../../core/compile/plan';
import { imageAt, imageSize, type ImageDataset } from '../../../core/data/dataset';
import type { GraphDoc } from '../../../core/graph/types';
import { seededRandom } from '../../../core/train/random';
import type { SavedTensor } from '../../../core/train/state';

/**
 * A checkpoint as the engine names and lays out its weights: Glorot kernels, and biases, β, γ and
 * moving statistics far from their zeros and ones, so that every term of every layer matters.
 */
export function testCheckpoint(doc: GraphDoc, seed: number): SavedTensor[] {
  const rand = seededRandom(seed);
  return initialParams(planModel(doc).params, seed).map((t) => {
    if (/\/(bias|beta|moving_mean)$/.test(t.name)) return { ...t, data: t.data.map(() => (rand() - 0.5) * 0.4) };
    if (/\/(gamma|moving_variance)$/.test(t.name)) return { ...t, data: t.data.map(() => 0.5 + rand()) };
    return t;
  });
}

export interface Batch {
  data: Float32Array;
  dims: number[];
}

/** The first `count` validation images of a dataset, centre-cropped to height × width, grey repeated over the channels. */
export function croppedImages(data: ImageDataset, count: number, [height, width, channels]: readonly number[]): Batch {
  const size = imageSize(data);
  const top = Math.floor((data.height - height!) / 2);
  const left = Math.floor((data.width - width!) / 2);
  const out = new Float32Array(count * height! * width! * channels!);
  let o = 0;
  for (let i = 0; i < count; i++) {
    const image = imageAt(data.validation, size, i);
    for (let y = 0; y < height!; y++) for (let x = 0; x < width!; x++) for (let c = 0; c < channels!; c++) out[o++] = image[(top + y) * data.width + left + x]! / 255;
  }
  return { data: out, dims: [count, height!, width!, channels!] };
}

/** The first output of an ONNX model run once on the CPU. */
export async function runOnnx(bytes: Uint8Array, inputs: Record<string, Batch>): Promise<Batch> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feeds = Object.fromEntries(Object.entries(inputs).map(([name, b]) => [name, new ort.Tensor('float32', b.data, b.dims)]));
    const out = await session.run(feeds);
    const first = out[session.outputNames[0]!]!;
    return { data: first.data as Float32Array, dims: [...first.dims] };
  } finally {
    await session.release();
  }
}

export function maxAbsDiff(a: Batch, b: Batch): number {
  expect(a.dims).toEqual(b.dims);
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
  return max;
}

/** The first `n` images of a batch. */
export function firstImages(b: Batch, n: number): Batch {
  const size = b.dims.slice(1).reduce((x, y) => x * y, 1);
  return { data: b.data.slice(0, n * size), dims: [n, ...b.dims.slice(1)] };
}

/** The training engine's evaluation of `images` with `weights`: its code and reconstruction. */
export async function engineEvaluation(doc: GraphDoc, weights: SavedTensor[], images: Batch): Promise<{ code: Batch; reconstruction: Batch }> {
  const plan = planModel(doc);
  const layouts = modelLayouts(plan);
  const session = await ort.InferenceSession.create(buildEvalModel(plan));
  try {
    const f32 = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', data, dims);
    const feeds: Record<string, ort.Tensor> = {
      [EVAL_NAMES.image]: f32(images.data, images.dims),
      [STEP_NAMES.params]: f32(joinFlat(weights, layouts.trainable, 'weights'), [layouts.trainable.total]),
      [EVAL_NAMES.klWeight]: f32(Float32Array.of(0), [1]),
    };
    if (layouts.stats.total) feeds[STEP_NAMES.stats] = f32(joinFlat(weights, layouts.stats, 'weights'), [layouts.stats.total]);
    const out = await session.run(feeds);
    const batch = (t: ort.Tensor): Batch => ({ data: t.data as Float32Array, dims: [...t.dims] });
    return { code: batch(out[EVAL_NAMES.code]!), reconstruction: batch(out[EVAL_NAMES.reconstruction]!) };
  } finally {
    await session.release();
  }
}

