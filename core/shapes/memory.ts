/**
 * How much memory training a graph takes, from its shapes alone (no tensor is made), so a graph too
 * large for the machine is refused before anything is allocated. Calibrated against the ONNX
 * engine's measured peak on the CPU provider (the growth of the process's peak resident memory
 * over two steps and a validation batch: main/backend/engine/memory.test.ts).
 */
import { product } from '../blocks/types';
import { formatBytes } from '../format';
import type { GraphDoc, TrainingSettings } from '../graph/types';
import { analyzeGraph, hasErrors, type GraphAnalysis } from './infer';

const FLOAT = 4;
const MB = 1024 ** 2;
/** A session pair's own footprint: its graphs, kernels and plans. */
const BASE = 6 * MB;
/**
 * Bytes per element of a layer's output in one batch of a training step: kept for the backward
 * pass, its gradient, and the rule's temporaries (a vector layer's product and bias sum cost more
 * than an image layer's, whose convolution works in place).
 */
const VECTOR_ELEMENT = 2.5 * FLOAT;
const IMAGE_ELEMENT = 2 * FLOAT;
/** The validation batch of core/train/evaluate.ts (not imported: core/shapes stays below core/train). */
const EVAL_BATCH = 256;

/**
 * Per parameter, in floats: the parameters in and out of a step, their slices and gradient (and its
 * flat copy), the optimizer's slots in and out, and its update's temporaries.
 */
export function optimizerCost(training: Pick<TrainingSettings, 'optimizer' | 'momentum'>): { slots: number; update: number } {
  switch (training.optimizer) {
    case 'adam':
      return { slots: 2, update: 16 };
    case 'rmsprop':
      return { slots: 2, update: 12 };
    case 'sgd':
      return training.momentum > 0 ? { slots: 1, update: 11 } : { slots: 0, update: 8 };
  }
}

export interface MemoryEstimate {
  /** The peak, in bytes: the engine's footprint plus the larger of a training step and validation. */
  bytes: number;
  weights: number;
  gradients: number;
  optimizerState: number;
  /** Layer outputs kept for the backward pass, for one batch. */
  activations: number;
}

/** The estimate for a graph that analyzes cleanly; null while it has errors (its shapes are not all known). */
export function estimateTrainingMemory(doc: GraphDoc, analysis: GraphAnalysis = analyzeGraph(doc)): MemoryEstimate | null {
  if (hasErrors(analysis) || !analysis.inputShape) return null;
  const params = analysis.totalParams;
  const { slots, update } = optimizerCost(doc.training);
  const layers = analysis.order.map((id) => ({ size: product(analysis.nodeShapes[id] ?? []), image: (analysis.nodeShapes[id]?.length ?? 0) === 3 }));
  const batch = doc.training.batchSize;
  const weights = params * FLOAT;
  const gradients = params * FLOAT;
  const optimizerState = slots * params * FLOAT;
  const activations = batch * layers.reduce((sum, l) => sum + l.size * (l.image ? IMAGE_ELEMENT : VECTOR_ELEMENT), 0);
  const step = update * params * FLOAT + activations;
  // Inference reuses each layer's memory once the next has its output: about two and a half of the largest layer.
  const validation = 2 * weights + EVAL_BATCH * VECTOR_ELEMENT * Math.max(...layers.map((l) => l.size));
  return { bytes: BASE + Math.max(step, validation), weights, gradients, optimizerState, activations };
}

/** Of the machine's memory, what one run may take: the app, the dataset and the system keep the rest. */
const HOST_SHARE = 0.5;

/**
 * The most a run may need on a backend: a share of the machine's memory on every provider (a GPU's
 * own memory is not reported by ONNX Runtime, and each step's inputs and outputs pass through host
 * memory too).
 */
export function memoryLimit(_backend: string | null, totalMemory: number): number {
  return Math.floor(totalMemory * HOST_SHARE);
}

/** Why a graph is refused, or null when its estimate fits the limit. */
export function memoryRefusal(estimate: MemoryEstimate | null, limit: number, backend: string | null): string | null {
  if (!estimate || estimate.bytes <= limit) return null;
  return `training this graph needs about ${formatBytes(estimate.bytes)} (weights ${formatBytes(estimate.weights)}, optimizer state ${formatBytes(estimate.optimizerState)}, activations ${formatBytes(estimate.activations)} per batch), more than the ${formatBytes(limit)} a run may use${backend ? ` on ${backend}` : ''} (half of this machine's memory): use fewer units or a smaller batch`;
}
