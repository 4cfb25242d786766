import { describe, expect, it } from 'vitest';
import { exportFileName, fileSlug } from './fileNames';

describe('export file names', () => {
  it('name a file after the run and the data, safe on every file system', () => {
    expect(exportFileName(['Undercomplete autoencoder', 'Fashion-MNIST (built-in subset), 9 of 10 classes', 'anomalies'], 'csv')).toBe('undercomplete-autoencoder-fashion-mnist-built-in-subset-9-of-10-classes-anomalies.csv');
    expect(exportFileName(['Run 3: σ/μ test', '/home/me/icons', 'samples'], 'png')).toBe('run-3-σ-μ-test-home-me-icons-samples.png');
    expect(exportFileName(['Café №5', null, '', 'lab'], 'png')).toBe('cafe-no5-lab.png');
  });

  it('keeps no path separators, leading dots or empty names', () => {
    expect(fileSlug('../../etc/passwd')).toBe('etc-passwd');
    expect(fileSlug('...')).toBe('');
    expect(exportFileName(['***'], 'csv')).toBe('bottleneck.csv');
    expect(fileSlug('a'.repeat(100))).toHaveLength(60);
  });
});
