import { describe, expect, it } from 'vitest';
import type { OptimizerName } from '../graph/types';
import { buildTemplate } from '../templates';
import { estimateTrainingMemory, memoryLimit, memoryRefusal } from './memory';
import { wideGraph as wide } from './wideGraph';

const GB = 1024 ** 3;

// Calibrated against the ONNX engine's measured peak in main/backend/engine/memory.test.ts.
describe('training memory estimate', () => {
  it('counts the optimizer state: Adam two slots, momentum one, plain SGD none', () => {
    const doc = buildTemplate('overcomplete');
    const state = (optimizer: OptimizerName, momentum = 0.9) => estimateTrainingMemory({ ...doc, training: { ...doc.training, optimizer, momentum } })!;
    const weights = state('adam').weights;
    expect(weights).toBe(4 * 1_854_224);
    expect([state('adam').optimizerState, state('rmsprop').optimizerState, state('sgd').optimizerState, state('sgd', 0).optimizerState]).toEqual([2 * weights, 2 * weights, weights, 0]);
    expect(state('adam').bytes).toBeGreaterThan(state('sgd', 0).bytes);
  });

  it('grows with the batch through the activations', () => {
    const doc = buildTemplate('convolutional');
    const at = (batchSize: number) => estimateTrainingMemory({ ...doc, training: { ...doc.training, batchSize } })!;
    expect(at(512).activations).toBe(4 * at(128).activations);
    expect(at(512).bytes).toBeGreaterThan(at(128).bytes);
  });

  it('refuses 4.3 billion and 640 million parameters before anything is made, naming the estimate and the limit', () => {
    const huge = wide(256, 1, 65_536);
    const estimate = estimateTrainingMemory(huge)!;
    expect(estimate.weights / 4).toBeGreaterThan(4.29e9);
    const limit = memoryLimit('cpu', 32 * GB);
    expect(memoryRefusal(estimate, limit, 'cpu')).toMatch(/^training this graph needs about \d+ GB \(weights 16 GB, optimizer state 32 GB, activations .* per batch\), more than the 16 GB a run may use on cpu \(half of this machine's memory\)/);

    const large = wide(128, 3, 12_950);
    const params = estimateTrainingMemory(large)!.weights / 4;
    expect(params).toBeGreaterThan(639e6);
    expect(params).toBeLessThan(641e6);
    expect(memoryRefusal(estimateTrainingMemory(large), memoryLimit('webgpu', 16 * GB), 'webgpu')).toMatch(/more than the 8\.0 GB a run may use on webgpu/);
    // A template fits anywhere.
    expect(memoryRefusal(estimateTrainingMemory(buildTemplate('convolutional')), memoryLimit('cpu', 4 * GB), 'cpu')).toBeNull();
  });

  it('has no estimate for a graph with errors (its shapes are not all known)', () => {
    const broken = buildTemplate('undercomplete');
    broken.edges.pop();
    expect(estimateTrainingMemory(broken)).toBeNull();
  });
});
