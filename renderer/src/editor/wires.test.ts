import { Position } from '@xyflow/react';
import { describe, expect, it } from 'vitest';
import { pathPoints, segmentCrosses, wiresOverBlocks, type WireBlock } from './wires';

const block = (id: string, x: number, y: number): WireBlock => ({ id, box: { x, y, width: 140, height: 100 }, inSide: Position.Left, outSide: Position.Right });

describe('wires behind blocks', () => {
  it('reads the corners of a smooth-step path', () => {
    expect(pathPoints('M0 0L 95,0Q 100,0 100,5L 100,95')).toEqual([
      { x: 0, y: 0 },
      { x: 95, y: 0 },
      { x: 100, y: 0 },
      { x: 100, y: 5 },
      { x: 100, y: 95 },
    ]);
  });

  it('clips a segment against a box, ignoring one that only touches its edge', () => {
    const box = { x: 10, y: 10, width: 20, height: 20 };
    expect(segmentCrosses({ x: 0, y: 20 }, { x: 40, y: 20 }, box)).toBe(true);
    expect(segmentCrosses({ x: 0, y: 11 }, { x: 40, y: 11 }, box)).toBe(false);
    expect(segmentCrosses({ x: 0, y: 0 }, { x: 5, y: 5 }, box)).toBe(false);
  });

  it('finds a wire that skips over a block in between, and none in a chain', () => {
    const blocks = [block('a', 0, 0), block('b', 216, 0), block('c', 432, 0)];
    const chain = [
      { id: 'ab', source: 'a', target: 'b' },
      { id: 'bc', source: 'b', target: 'c' },
    ];
    expect(wiresOverBlocks(blocks, chain)).toEqual(new Set());
    expect(wiresOverBlocks(blocks, [...chain, { id: 'ac', source: 'a', target: 'c' }])).toEqual(new Set(['ac']));
  });
});
