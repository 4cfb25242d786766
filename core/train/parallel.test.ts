import { describe, expect, it } from 'vitest';
import { waitForStep } from './parallel';

const DONE0 = 2;
const FAILED = 6;

describe('waiting for the other training thread', () => {
  it('goes on when the other thread has already moved past the step (a waiter descheduled for a moment)', () => {
    const ctrl = new Int32Array(new SharedArrayBuffer(16 * 4));
    // The leader wrote its share of step 4 and, while the follower was off the CPU, already that of step 5.
    Atomics.store(ctrl, DONE0, 5);
    const t0 = Date.now();
    expect(() => waitForStep(ctrl, DONE0, 4, 300)).not.toThrow();
    expect(Date.now() - t0).toBeLessThan(100);
  });

  it('waits while the other thread is behind, and names the stall after the limit', () => {
    const ctrl = new Int32Array(new SharedArrayBuffer(16 * 4));
    Atomics.store(ctrl, DONE0, 3);
    expect(() => waitForStep(ctrl, DONE0, 4, 200)).toThrow(/stopped answering \(waiting for word 2 = 4/);
    Atomics.store(ctrl, FAILED, 1);
    expect(() => waitForStep(ctrl, DONE0, 4, 200)).toThrow('the second training thread failed');
  });
});
