import { describe, expect, it } from 'vitest';
import { folderDatasetId } from '../../core/data/datasetId';
import { BUILTIN_FASHION_MNIST, checkDatasetId, loadAnyDataset, loadDataset } from './datasets';

describe('datasets by id', () => {
  it('loads a subset of the built-in set from its id', () => {
    const d = loadDataset(`${BUILTIN_FASHION_MNIST}?train=40&validation=16`);
    expect([d.train.count, d.validation.count]).toEqual([40, 16]);
    expect(d.id).toBe(`${BUILTIN_FASHION_MNIST}?train=40&validation=16`);
  });

  it('trains on chosen classes: the training split keeps them only (the first N of them), validation keeps every class, and the record and name say so', async () => {
    const all = loadDataset(BUILTIN_FASHION_MNIST);
    const id = `${BUILTIN_FASHION_MNIST}?train=300&validation=200&classes=0,2,3,4,5,6,7,8,9`;
    const d = loadDataset(id);
    expect(d.id).toBe(id);
    expect(d.name).toBe('Fashion-MNIST (built-in subset), 9 of 10 classes');
    expect(d.trainedClasses).toEqual([0, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(d.train.count).toBe(300);
    expect(d.train.labels.includes(1)).toBe(false);
    // The first 300 training images that are not trousers, in order.
    const kept = Array.from({ length: all.train.count }, (_, i) => i).filter((i) => all.train.labels[i] !== 1).slice(0, 300);
    expect(Array.from(d.train.labels)).toEqual(kept.map((i) => all.train.labels[i]));
    expect(d.train.images.subarray(299 * 784, 300 * 784)).toEqual(all.train.images.subarray(kept[299]! * 784, (kept[299]! + 1) * 784));
    expect(d.validation.count).toBe(200);
    expect(d.validation.labels.includes(1)).toBe(true);
    const { record } = await loadAnyDataset(id);
    expect(record).toMatchObject({ id, name: d.name, trainedClasses: [0, 2, 3, 4, 5, 6, 7, 8, 9], trainCount: 300, validationCount: 200 });
    expect(record.counts.Trouser).toBe(Array.from(d.validation.labels).filter((l) => l === 1).length);
    // Every class chosen is the whole set.
    expect(loadDataset(`${BUILTIN_FASHION_MNIST}?classes=0,1,2,3,4,5,6,7,8,9`).trainedClasses).toBeUndefined();
    expect(() => loadDataset(`${BUILTIN_FASHION_MNIST}?classes=3,12`)).toThrow('class 12 is out of range: Fashion-MNIST (built-in subset) has 10 classes (0 to 9)');
    expect(() => checkDatasetId(`${BUILTIN_FASHION_MNIST}?classes=10`)).toThrow('class 10 is out of range');
  });

  it('checks an id before a run is created, naming the fault', () => {
    expect(() => checkDatasetId(BUILTIN_FASHION_MNIST)).not.toThrow();
    expect(() => checkDatasetId(folderDatasetId('/data/x', { height: 8, width: 8, channels: 1, fit: 'cover', validationSplit: 0.1, seed: 1, background: 'white' }))).not.toThrow();
    expect(() => checkDatasetId('builtin:cifar-10')).toThrow('unknown dataset "builtin:cifar-10"');
    expect(() => checkDatasetId('mnist')).toThrow('unknown dataset "mnist"');
    expect(() => checkDatasetId(`${BUILTIN_FASHION_MNIST}?train=0`)).toThrow('train must be a whole number ≥ 1');
    expect(() => checkDatasetId('folder:%2Fx?c=2')).toThrow('c must be 1 (grayscale) or 3 (RGB)');
  });
});
