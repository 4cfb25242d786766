import type { ImageDataset, ImageSplit } from '../data/dataset';
import { seededRandom } from './random';

/**
 * A small dataset with real structure for fast tests: side×side images (8×8 by default) of a bright
 * square whose position is the class (4 classes), with pixel noise. An autoencoder can learn it in a
 * few epochs.
 */
export function squaresDataset(trainCount = 512, validationCount = 128, seed = 7, side = 8): ImageDataset {
  const random = seededRandom(seed);
  const square = Math.round((side * 3) / 8);
  const make = (count: number): ImageSplit => {
    const pixels = side * side;
    const images = new Uint8Array(count * pixels);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const label = i % 4;
      labels[i] = label;
      const top = label < 2 ? 1 : side / 2;
      const left = label % 2 === 0 ? 1 : side / 2;
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const inside = y >= top && y < top + square && x >= left && x < left + square;
          images[i * pixels + y * side + x] = Math.round(inside ? 200 + random() * 55 : random() * 40);
        }
      }
    }
    return { images, labels, count };
  };
  return {
    id: 'test:squares',
    name: 'Squares',
    height: side,
    width: side,
    channels: 1,
    classNames: ['top-left', 'top-right', 'bottom-left', 'bottom-right'],
    train: make(trainCount),
    validation: make(validationCount),
  };
}
