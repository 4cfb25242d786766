import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiEvent } from '../../../core/api';
import { paceTrainEvents } from './eventPacer';

const epoch = (n: number): ApiEvent => ({ type: 'train', event: { type: 'batch-end', runId: 'r', epoch: n, batch: 1, step: n, loss: 1, samplesPerSec: 1, elapsedMs: n } });
const epochOf = (e: ApiEvent) => (e.type === 'train' && e.event.type === 'batch-end' ? e.event.epoch : e.type);

describe('pacing training events into the store', () => {
  afterEach(() => vi.useRealTimers());

  it('delivers the first at once, then every event of the interval together and in order', () => {
    vi.useFakeTimers();
    const deliveries: (number | string)[][] = [];
    let current: (number | string)[] = [];
    const pacer = paceTrainEvents((e) => current.push(epochOf(e)), 100);
    const settle = () => {
      if (current.length) deliveries.push(current);
      current = [];
    };
    for (let n = 1; n <= 50; n++) {
      pacer(epoch(n));
      settle();
      vi.advanceTimersByTime(4);
      settle();
    }
    vi.runAllTimers();
    settle();
    // 50 events over 200 ms: one at once, then one delivery per 100 ms, not 50 renders.
    expect(deliveries.length).toBeLessThanOrEqual(3);
    expect(deliveries[0]).toEqual([1]);
    expect(deliveries.flat()).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('an event of another kind delivers the waiting ones first, so order holds', () => {
    vi.useFakeTimers();
    const seen: (number | string)[] = [];
    const pacer = paceTrainEvents((e) => seen.push(epochOf(e)), 100);
    pacer(epoch(1));
    pacer(epoch(2));
    pacer(epoch(3));
    expect(seen).toEqual([1]);
    pacer({ type: 'connection', connected: false });
    expect(seen).toEqual([1, 2, 3, 'connection']);
    vi.runAllTimers();
    expect(seen).toEqual([1, 2, 3, 'connection']);
  });

  it('with no interval, each event at once', () => {
    const seen: (number | string)[] = [];
    const pacer = paceTrainEvents((e) => seen.push(epochOf(e)), 0);
    pacer(epoch(1));
    pacer(epoch(2));
    expect(seen).toEqual([1, 2]);
  });
});
