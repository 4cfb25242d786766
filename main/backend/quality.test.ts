import { describe, expect, it } from 'vitest';
import { undercomplete } from '../../core/templates/undercomplete';
import type { EpochEndEvent, TrainEvent } from '../../core/train/events';
import { trainAutoencoder } from '../../core/train/train';
import { BUILTIN_FASHION_MNIST, loadDataset } from './datasets';
import { onnxEngine } from './engine/onnxRunner';
import { selectProvider } from './engine/providers';

describe('training quality on the built-in Fashion-MNIST subset', () => {
  it('the undercomplete template reaches validation BCE ≤ 0.33 in 5 epochs (batch 128, Adam 1e-3)', async () => {
    const selected = await selectProvider();
    const engine = onnxEngine(selected.provider);
    const dataset = loadDataset(BUILTIN_FASHION_MNIST);
    expect(dataset.train.count).toBeGreaterThanOrEqual(6000);
    expect(dataset.validation.count).toBeGreaterThanOrEqual(1000);
    const graph = undercomplete();
    expect(graph.training).toMatchObject({ epochs: 5, batchSize: 128, learningRate: 1e-3, optimizer: 'adam' });
    const events: TrainEvent[] = [];
    const last = await trainAutoencoder({ runId: 'quality', graph, dataset, engine, emit: (e) => events.push(e) });
    expect(last.type).toBe('run-finished');
    const valLosses = events.filter((e): e is EpochEndEvent => e.type === 'epoch-end').map((e) => e.val_loss);
    console.log(`provider ${selected.info.name}: validation BCE by epoch ${valLosses.map((v) => v.toFixed(4)).join(', ')}`);
    expect(valLosses).toHaveLength(5);
    expect(valLosses[4]).toBeLessThanOrEqual(0.33);
    expect(valLosses[4]).toBeLessThan(valLosses[0]!);
  });
});
