/**
 * How well a model undoes a corruption: the error of the corrupted input and of the model's output
 * from it, both against the clean image, over many images. The figures the denoising and
 * inpainting quality tests assert, and the pair a view can show ("noisy 0.062 → output 0.018").
 */
import type { ImageShape } from './corruption';

/** The model's outputs for `count` images ([count, h, w, c] in [0, 1]). */
export type Reconstruct = (images: Float32Array, count: number) => Promise<Float32Array>;

export interface RestorationErrors {
  images: number;
  /** Mean squared error of the corrupted inputs to the clean images (over the hidden pixels, for masks). */
  inputError: number;
  /** The same for the model's outputs from the corrupted inputs. */
  outputError: number;
  /** 1 − outputError / inputError: the share of the corruption's error the model removed. */
  reduction: number;
}

/** A corrupted image, and the pixels a mask hid (height × width, 1 = hidden) to measure on, or null for all of them. */
export type Corrupt = (clean: Float32Array, index: number) => { pixels: Float32Array; hidden: Uint8Array | null };

/**
 * Corrupts each clean image (values in [0, 1], HWC), runs the model on the corrupted ones in
 * batches, and pools the squared errors over every measured value of every image.
 */
export async function measureRestoration(reconstruct: Reconstruct, cleanImages: readonly Float32Array[], image: ImageShape, corrupt: Corrupt, batch = 256): Promise<RestorationErrors> {
  const size = image.height * image.width * image.channels;
  let inputSum = 0;
  let outputSum = 0;
  let values = 0;
  for (let from = 0; from < cleanImages.length; from += batch) {
    const clean = cleanImages.slice(from, from + batch);
    const corrupted = clean.map((c, i) => corrupt(c, from + i));
    const input = new Float32Array(clean.length * size);
    corrupted.forEach((c, i) => input.set(c.pixels, i * size));
    const output = await reconstruct(input, clean.length);
    clean.forEach((c, i) => {
      const hidden = corrupted[i]!.hidden;
      for (let k = 0; k < size; k++) {
        if (hidden && !hidden[Math.floor(k / image.channels)]) continue;
        inputSum += (input[i * size + k]! - c[k]!) ** 2;
        outputSum += (output[i * size + k]! - c[k]!) ** 2;
        values++;
      }
    });
  }
  const inputError = values ? inputSum / values : 0;
  const outputError = values ? outputSum / values : 0;
  return { images: cleanImages.length, inputError, outputError, reduction: inputError > 0 ? 1 - outputError / inputError : 0 };
}
