import type { ImageDataset, ImageSplit } from '../data/dataset';
import { seededRandom } from './random';

/**
 * A small dataset with real structure for fast tests: 8×8 images of a bright square whose
 * position is the class (4 classes), with pixel noise. An autoencoder can learn it in a few epochs.
 */
export function squaresDataset(trainCount = 512, validationCount = 128, seed = 7): ImageDataset {
  const random = seededRandom(seed);
  const make = (count: number): ImageSplit => {
    const images = new Uint8Array(count * 64);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const label = i % 4;
      labels[i] = label;
      const top = label < 2 ? 1 : 4;
      const left = label % 2 === 0 ? 1 : 4;
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) {
          const inside = y >= top && y < top + 3 && x >= left && x < left + 3;
          images[i * 64 + y * 8 + x] = Math.round(inside ? 200 + random() * 55 : random() * 40);
        }
      }
    }
    return { images, labels, count };
  };
  return {
    id: 'test:squares',
    name: 'Squares',
    height: 8,
    width: 8,
    channels: 1,
    classNames: ['top-left', 'top-right', 'bottom-left', 'bottom-right'],
    train: make(trainCount),
    validation: make(validationCount),
  };
}
