import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrainingState } from '../../core/train/state';
import { readCheckpoint, writeCheckpoint } from './checkpoints';

const state: TrainingState = {
  epoch: 2,
  step: 24,
  bestValLoss: 0.25,
  epochsSinceBest: 0,
  weights: [{ name: 'dense/kernel', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) }],
  optimizer: [{ name: 'dense/kernel/m', shape: [2, 2], data: Float32Array.from([5, 6, 7, 8]) }],
  sampling: [{ name: 'bottleneck-4-sample', calls: 24 }],
};

describe('checkpoints', () => {
  it('write and read back weights, optimizer state and the noise streams', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    writeCheckpoint(dir, 'last', state);
    expect(readCheckpoint(dir, 'last')).toEqual(state);
  });

  it('read a version 1 checkpoint (no noise state), and refuse a newer one naming the version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    writeCheckpoint(dir, 'last', state);
    const file = join(dir, 'checkpoints', 'last', 'checkpoint.json');
    const { sampling: _s, ...v1 } = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...v1, version: 1 }));
    const { sampling: _none, ...rest } = state;
    expect(readCheckpoint(dir, 'last')).toEqual(rest);
    writeFileSync(file, JSON.stringify({ ...v1, version: 3 }));
    expect(() => readCheckpoint(dir, 'last')).toThrow(/written by a newer Bottleneck \(checkpoint version 3; this one reads up to 2\)/);
  });
});
