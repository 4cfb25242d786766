import { describe, expect, it } from 'vitest';
import { folderDatasetId } from '../../core/data/datasetId';
import { BUILTIN_FASHION_MNIST, checkDatasetId, loadDataset } from './datasets';

describe('datasets by id', () => {
  it('loads a subset of the built-in set from its id', () => {
    const d = loadDataset(`${BUILTIN_FASHION_MNIST}?train=40&validation=16`);
    expect([d.train.count, d.validation.count]).toEqual([40, 16]);
    expect(d.id).toBe(`${BUILTIN_FASHION_MNIST}?train=40&validation=16`);
  });

  it('checks an id before a run is created, naming the fault', () => {
    expect(() => checkDatasetId(BUILTIN_FASHION_MNIST)).not.toThrow();
    expect(() => checkDatasetId(folderDatasetId('/data/x', { height: 8, width: 8, channels: 1, fit: 'cover', validationSplit: 0.1, seed: 1 }))).not.toThrow();
    expect(() => checkDatasetId('builtin:cifar-10')).toThrow('unknown dataset "builtin:cifar-10"');
    expect(() => checkDatasetId('mnist')).toThrow('unknown dataset "mnist"');
    expect(() => checkDatasetId(`${BUILTIN_FASHION_MNIST}?train=0`)).toThrow('train must be a whole number ≥ 1');
    expect(() => checkDatasetId('folder:%2Fx?c=2')).toThrow('c must be 1 (grayscale) or 3 (RGB)');
  });
});
