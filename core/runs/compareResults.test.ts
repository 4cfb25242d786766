import { describe, expect, it } from 'vitest';
import type { MetricPoint } from '../api';
import { compareResults, formatDelta } from './compareResults';

const curve = (values: number[]): { metrics: MetricPoint[] } => ({ metrics: values.map((value, i) => ({ t: i, epoch: i + 1, step: i, key: 'val_loss', value })) });

describe("Compare's results rows", () => {
  it('puts the best validation loss and its epoch beside the last', () => {
    const [best, last] = compareResults([curve([0.5, 0.3, 0.4]), curve([0.6, 0.5, 0.45])], null);
    expect(best!.cells).toEqual([{ value: 0.3, epoch: 2 }, { value: 0.45, epoch: 3 }]);
    expect(last!.cells).toEqual([{ value: 0.4, epoch: 3 }, { value: 0.45, epoch: 3 }]);
  });

  it('gives every other run a difference from the pinned baseline', () => {
    const [best] = compareResults([curve([0.5, 0.4]), curve([0.44]), curve([0.2, 0.3])], 0);
    expect(best!.cells[0]).toEqual({ value: 0.4, epoch: 2 });
    expect(best!.cells[1]!.delta!.absolute).toBeCloseTo(0.04);
    expect(best!.cells[1]!.delta!.relative).toBeCloseTo(0.1);
    expect(formatDelta(best!.cells[1]!.delta!)).toBe('+0.0400 (+10.0 %)');
    expect(formatDelta(best!.cells[2]!.delta!)).toBe('−0.2000 (−50.0 %)');
    // A run with no finished epoch has nothing to differ by.
    expect(compareResults([curve([0.5]), curve([])], 0)[0]!.cells[1]).toEqual({ value: null, epoch: null });
  });
});
