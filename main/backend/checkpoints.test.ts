import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  it('names the file and the fault when a checkpoint cannot be continued from', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    writeCheckpoint(dir, 'last', state);
    const manifest = join(dir, 'checkpoints', 'last', 'checkpoint.json');
    const tensors = join(dir, 'checkpoints', 'last', 'tensors.bin');
    const good = readFileSync(manifest, 'utf8');
    const bytes = readFileSync(tensors);

    writeFileSync(manifest, 'garbage{');
    expect(() => readCheckpoint(dir)).toThrow(new RegExp(`^cannot continue from ${manifest}: not valid JSON \\(`));
    writeFileSync(manifest, JSON.stringify({ ...JSON.parse(good), weights: [{ name: 'w', shape: [2], offset: -1, length: 2 }] }));
    expect(() => readCheckpoint(dir)).toThrow(`cannot continue from ${manifest}: weights.0.offset: Too small: expected number to be >=0`);
    writeFileSync(manifest, JSON.stringify({ ...JSON.parse(good), weights: [{ name: 'dense/kernel', shape: [3, 2], offset: 0, length: 4 }] }));
    expect(() => readCheckpoint(dir)).toThrow(`cannot continue from ${manifest}: dense/kernel has shape [3, 2] but 4 values`);
    writeFileSync(manifest, good);

    writeFileSync(tensors, bytes.subarray(0, 30));
    expect(() => readCheckpoint(dir)).toThrow(`cannot continue from ${tensors}: 30 bytes, but checkpoint.json lists 32 (8 floats): the file is truncated`);
    writeFileSync(tensors, Buffer.concat([bytes, bytes]));
    expect(() => readCheckpoint(dir)).toThrow(`cannot continue from ${tensors}: 64 bytes, but checkpoint.json lists 32 (8 floats): the file is not the one written with it`);
    rmSync(tensors);
    expect(() => readCheckpoint(dir)).toThrow(`cannot continue from ${tensors}: cannot be read (ENOENT)`);
  });
});
