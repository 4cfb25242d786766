import { describe, expect, it } from 'vitest';
import { fillBatch } from '../train/batches';
import { imageAt, keepClasses, subsetDataset, type ImageDataset, type ImageSplit } from './dataset';

const size = 4;
const bytes = Uint8Array.from({ length: 5 * size }, (_, i) => (i * 37) % 256);
const inMemory: ImageSplit = { images: bytes, labels: Uint8Array.from([0, 1, 0, 1, 2]), count: 5 };
const scratch = new Uint8Array(size);
const streamed: ImageSplit = {
  images: new Uint8Array(0),
  labels: inMemory.labels,
  count: 5,
  readImage: (i) => {
    scratch.set(bytes.subarray(i * size, (i + 1) * size));
    return scratch;
  },
};

describe('image splits in memory and streamed', () => {
  it('give the same batches, in any order', () => {
    const order = [4, 0, 3, 1, 2];
    const a = new Float32Array(3 * size);
    const b = new Float32Array(3 * size);
    fillBatch(inMemory, size, order, 1, 3, a);
    fillBatch(streamed, size, order, 1, 3, b);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(a[0]).toBeCloseTo(bytes[0]! / 255);
    expect(Array.from(imageAt(streamed, size, 3))).toEqual(Array.from(imageAt(inMemory, size, 3)));
  });

  it('subset a streamed split without reading it', () => {
    const ds: ImageDataset = { id: 'd', name: 'd', height: 2, width: 2, channels: 1, classNames: ['a', 'b', 'c'], train: streamed, validation: streamed };
    const sub = subsetDataset(ds, 2, 3);
    expect([sub.train.count, sub.validation.count, sub.train.labels.length]).toEqual([2, 3, 2]);
    expect(Array.from(imageAt(sub.train, size, 1))).toEqual(Array.from(bytes.subarray(size, 2 * size)));
  });

  it('keep chosen classes the same way in memory and streamed: the images of those labels, in order', () => {
    for (const split of [inMemory, streamed]) {
      const kept = keepClasses(split, size, [1, 2]);
      expect([kept.count, Array.from(kept.labels)]).toEqual([3, [1, 1, 2]]);
      expect(Boolean(kept.readImage)).toBe(Boolean(split.readImage));
      [1, 3, 4].forEach((from, to) => expect(Array.from(imageAt(kept, size, to))).toEqual(Array.from(bytes.subarray(from * size, (from + 1) * size))));
    }
  });
});
