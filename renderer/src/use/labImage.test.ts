import { describe, expect, it } from 'vitest';
import { change, emptyMask, fromBatch, maskRect, maskStroke, mse, toBatch, toModelBatch, withMask, type LabImage } from './labImage';

const image = (height: number, width: number, value = 0.5): LabImage => ({ height, width, channels: 1, data: new Float32Array(height * width).fill(value) });

describe('the lab’s masks and errors', () => {
  it('a rectangle drawn from either corner hides the pixels between them, clipped to the image', () => {
    const im = image(6, 8);
    const a = maskRect(emptyMask(im), im, [1.2, 1.7], [3.9, 2.1]);
    const b = maskRect(emptyMask(im), im, [3.9, 2.1], [1.2, 1.7]);
    expect([...a]).toEqual([...b]);
    // columns 1..3, rows 1..2: 3 × 2 pixels
    expect(a.reduce((s, v) => s + v, 0)).toBe(6);
    expect(a[1 * 8 + 1]).toBe(1);
    expect(a[2 * 8 + 3]).toBe(1);
    expect(a[0]).toBe(0);
    const clipped = maskRect(emptyMask(im), im, [-5, -5], [100, 1]);
    expect(clipped.reduce((s, v) => s + v, 0)).toBe(16);
  });

  it('a brush stroke hides a band along its path and leaves the old mask untouched', () => {
    const im = image(10, 10);
    const before = emptyMask(im);
    const stroke = maskStroke(before, 10, [1, 5], [9, 5], 1);
    expect(before.every((v) => v === 0)).toBe(true);
    for (let x = 1; x < 9; x++) expect(stroke[5 * 10 + x], `pixel (${x}, 5)`).toBe(1);
    expect(stroke[0]).toBe(0);
    expect(stroke[9 * 10 + 5]).toBe(0);
  });

  it('a masked image is black in the holes; its error counts the holes only when asked', () => {
    const clean = image(4, 4, 0.5);
    const mask = maskRect(emptyMask(clean), clean, [0, 0], [1, 0]);
    const masked = withMask(clean, mask);
    expect(masked.data[0]).toBe(0);
    expect(masked.data[5]).toBe(0.5);
    expect(mse(masked, clean)).toBeCloseTo((2 * 0.25) / 16, 6);
    expect(mse(masked, clean, mask)).toBeCloseTo(0.25, 6);
    expect(mse(masked, clean, emptyMask(clean))).toBeNull();
  });

  it('an image survives the trip to a batch and back to within a byte', () => {
    const im = { height: 2, width: 3, channels: 1, data: Float32Array.from([0, 0.1, 0.5, 0.9, 1, 1.4]) };
    const back = fromBatch(toBatch([im]));
    expect(back.data[1]).toBeCloseTo(0.1, 2);
    expect(back.data[5]).toBe(1); // clipped
  });

  it('images for the model go as float32, unclipped (noise below 0 and above 1 as in training); bytes only to draw', () => {
    const im = { height: 2, width: 3, channels: 1, data: Float32Array.from([-0.25, 0.1, 0.5, 0.9, 1, 1.4]) };
    const batch = toModelBatch([im, im]);
    expect(batch.encoding).toBe('float32');
    const bytes = Uint8Array.from(atob(batch.pixels), (ch) => ch.charCodeAt(0));
    expect(new Float32Array(bytes.buffer)).toEqual(Float32Array.from([...im.data, ...im.data]));
  });

  it('says how the output’s error compares with the input’s, up or down', () => {
    expect(change(0.2, 0.05)).toBe('75 % lower');
    expect(change(0.0264, 0.0353)).toBe('34 % higher');
    expect(change(0.1, 0.1)).toBe('about the same');
    expect(change(null, 0.1)).toBe('');
  });

  it('two images of different shapes have no error (a model switched mid-reply), rather than a crash', () => {
    expect(mse(image(28, 28), image(32, 32))).toBeNull();
    expect(mse(image(4, 4), image(4, 4), emptyMask(image(5, 5)))).toBeNull();
  });
});
