/**
 * How much memory training a graph takes, from its shapes alone (no tensor is made), so a graph too
 * large for the backend is refused before anything is allocated. Counts float32 tensors as tfjs
 * holds them; checked against tf.profile's peak on the cpu backend in memory.test.ts.
 */
import { product } from '../blocks/types';
import { formatBytes } from '../format';
import type { GraphDoc, TrainingSettings } from '../graph/types';
import { analyzeGraph, hasErrors, type GraphAnalysis } from './infer';

const FLOAT = 4;
/**
 * Tensors per layer output element in a training step: the forward pass keeps each layer's
 * pre-activation, bias sum and output (and a mask for dropout or noise) for the backward pass, which
 * makes a gradient of each.
 */
const TRAIN_ACTIVATION_TENSORS = 7;
const EVAL_LAYER_TENSORS = 4;
/** The validation batch of core/train/evaluate.ts (not imported: that module loads tfjs). */
const EVAL_BATCH = 256;

/**
 * Per parameter: the optimizer's state (slots) and the tensors its update makes for every variable
 * before the step's tidy frees them (tfjs's Adam builds about fourteen per-parameter tensors: the
 * moment updates, bias corrections, square root, quotient), as measured on the cpu backend.
 */
export function optimizerCost(training: Pick<TrainingSettings, 'optimizer' | 'momentum'>): { slots: number; update: number } {
  switch (training.optimizer) {
    case 'adam':
      return { slots: 2, update: 14 };
    case 'rmsprop':
      // tfjs keeps the mean squares and the moments (both, even without momentum).
      return { slots: 2, update: 6 };
    case 'sgd':
      return training.momentum > 0 ? { slots: 1, update: 2.5 } : { slots: 0, update: 1 };
  }
}

export interface MemoryEstimate {
  /** The peak, in bytes: the larger of the backward pass, the optimizer update and validation. */
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
  const sizes = analysis.order.map((id) => product(analysis.nodeShapes[id] ?? []));
  const perSample = sizes.reduce((a, b) => a + b, 0);
  const input = product(analysis.inputShape);
  const batch = doc.training.batchSize;
  const weights = params * FLOAT;
  const gradients = params * FLOAT;
  const optimizerState = slots * params * FLOAT;
  const activations = batch * perSample * TRAIN_ACTIVATION_TENSORS * FLOAT;
  const held = weights + optimizerState;
  const backward = held + gradients + activations + 2 * batch * input * FLOAT;
  const step = held + gradients + update * params * FLOAT;
  // Inference frees each layer's tensors once the next layer has its output: at most a layer's
  // input, its raw output, the bias sum and the activation, plus the batch, its reconstruction and
  // the loss's difference of them.
  const validation = held + EVAL_BATCH * (EVAL_LAYER_TENSORS * Math.max(...sizes) + 3 * input) * FLOAT;
  return { bytes: Math.max(backward, step, validation), weights, gradients, optimizerState, activations };
}

const GB = 1024 ** 3;
/** wasm32 addresses 4 GB; tfjs's own code, the dataset's batches and fragmentation need the rest. */
const WASM_LIMIT = 4 * GB - 768 * 1024 ** 2;
/** Of the machine's memory, what one run may take: the app, the dataset and the system keep the rest. */
const HOST_SHARE = 0.5;

/**
 * The most a run may need on a backend. wasm: its 4 GB address space less headroom. cpu, tensorflow
 * (tfjs-node) and the GPU backends (whose device memory tfjs cannot ask for, and whose data path
 * passes through host memory too): a share of the machine's memory.
 */
export function memoryLimit(backend: string | null, totalMemory: number): number {
  const host = Math.floor(totalMemory * HOST_SHARE);
  return backend === 'wasm' ? Math.min(WASM_LIMIT, host) : host;
}

/** Why a graph is refused, or null when its estimate fits the limit. */
export function memoryRefusal(estimate: MemoryEstimate | null, limit: number, backend: string | null): string | null {
  if (!estimate || estimate.bytes <= limit) return null;
  return `training this graph needs about ${formatBytes(estimate.bytes)} (weights ${formatBytes(estimate.weights)}, optimizer state ${formatBytes(estimate.optimizerState)}, activations ${formatBytes(estimate.activations)} per batch), more than the ${formatBytes(limit)} ${backend === 'wasm' ? 'the wasm backend can address' : `a run may use${backend ? ` on ${backend}` : ''} (half of this machine's memory)`}: use fewer units or a smaller batch`;
}
