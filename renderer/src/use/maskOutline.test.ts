import { describe, expect, it } from 'vitest';
import { maskOutline } from './maskOutline';

describe('the mask’s outline', () => {
  it('is empty without a mask, and the four sides of a rectangle', () => {
    expect(maskOutline(new Uint8Array(16), 4, 4)).toBe('');
    // Columns 1–2, rows 1–3 of a 4×5 image.
    const mask = new Uint8Array(20);
    for (const y of [1, 2, 3]) for (const x of [1, 2]) mask[y * 4 + x] = 1;
    expect(maskOutline(mask, 4, 5)).toBe('M1 1H3M1 4H3M1 1V4M3 1V4');
  });

  it('follows a brushed shape and the image’s border where the mask touches it', () => {
    // An L in the top-left corner of a 3×3 image.
    const mask = Uint8Array.from([1, 1, 0, 1, 0, 0, 0, 0, 0]);
    expect(maskOutline(mask, 3, 3)).toBe('M0 0H2M1 1H2M0 2H1M0 0V2M1 1V2M2 0V1');
  });
});
