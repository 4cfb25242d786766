import { describe, expect, it } from 'vitest';
import { backendLabel, formatBytes, formatDuration } from './format';

describe('formatDuration', () => {
  it('shows seconds under a minute, then a clock, rounded down, hours only when there are any', () => {
    expect([0, 999, 7_460, 9_999, 10_000, 59_999, 60_000, 725_000, 3_599_999, 3_600_000, 3_723_000, 100 * 3_600_000].map((ms) => formatDuration(ms))).toEqual([
      '0.0s', '0.9s', '7.4s', '9.9s', '10s', '59s', '1:00', '12:05', '59:59', '1:00:00', '1:02:03', '100:00:00',
    ]);
  });

  it('shows the given mark for an unknown duration', () => {
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(null, '-')).toBe('-');
    expect(formatDuration(Number.NaN)).toBe('–');
    expect(formatDuration(-5)).toBe('–');
  });
});

describe('backendLabel', () => {
  it('names the threads and the GPU', () => {
    const gpu = { vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3080', fallback: false };
    expect(backendLabel({ name: 'cpu' })).toBe('cpu');
    expect(backendLabel({ name: 'cpu', threads: 2 })).toBe('cpu ×2');
    expect(backendLabel({ name: 'webgpu', threads: 1, adapter: gpu })).toBe('webgpu (nvidia ampere)');
    // Some drivers leave vendor and architecture empty: the description stands in.
    expect(backendLabel({ name: 'webgpu', adapter: { ...gpu, vendor: '', architecture: '' } })).toBe('webgpu (NVIDIA GeForce RTX 3080)');
  });
});

describe('formatBytes', () => {
  it('reads as kB, MB or GB', () => {
    expect([formatBytes(100), formatBytes(640 * 1024), formatBytes(120 * 1024 ** 2), formatBytes(3.4 * 1024 ** 3), formatBytes(84 * 1024 ** 3)]).toEqual(['1 kB', '640 kB', '120 MB', '3.4 GB', '84 GB']);
  });
});
