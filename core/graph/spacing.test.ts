import { describe, expect, it } from 'vitest';
import { pushApart, type PlacedBlock } from './spacing';

const block = (id: string, x: number, y: number, layoutHeight: number, height = layoutHeight): PlacedBlock => ({ id, x, y, width: 140, layoutHeight, height });

describe('room for a block that grew', () => {
  it('moves nothing while every block is as tall as laid out', () => {
    expect(pushApart([block('a', 0, 0, 100), block('b', 0, 148, 100), block('c', 216, 0, 100)])).toEqual({});
  });

  it('grows a block about its centre and pushes the row under it down, keeping the gap that was there', () => {
    // A U: a (top right) grew by 80 over b right under it; d is b's neighbour in the lower row.
    const blocks = [block('a', 216, 0, 100, 180), block('b', 216, 148, 100), block('d', 0, 148, 100), block('c', 0, 0, 100)];
    const moved = pushApart(blocks);
    expect(moved).toEqual({ a: -40, b: 40, d: 40 });
    // a's centre stays on its row (its wires stay straight), and the gap under it is the layout's 48.
    expect(0 + moved.a! + 180 / 2).toBe(50);
    expect(148 + moved.b! - (0 + moved.a! + 180)).toBe(48);
  });

  it('leaves blocks beside the grown one alone, and blocks under it where nothing is in its column', () => {
    expect(pushApart([block('a', 0, 0, 100, 300), block('b', 0, 200, 100), block('side', 400, 50, 100)])).toEqual({ a: -100, b: 100 });
    expect(pushApart([block('a', 0, 0, 100, 300), block('far', 400, 200, 100)])).toEqual({ a: -100 });
  });

  it('makes room for a lower block that grew up toward the one above it', () => {
    // b grew by 40: it keeps the gap above it and grows down, pushing c down by all of it.
    expect(pushApart([block('a', 0, 0, 100), block('b', 0, 148, 100, 140), block('c', 0, 296, 100)])).toEqual({ c: 40 });
  });

  it('does not push a block the user laid over another one (their layout boxes overlap already)', () => {
    expect(pushApart([block('a', 0, 0, 100, 160), block('b', 20, 50, 100)])).toEqual({ a: -30 });
  });
});
