import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeReadError, readFileSafe, readFileSafeAsync, readTextSafe } from './safeRead';

const dir = mkdtempSync(join(tmpdir(), 'safe-read-'));
const fifo = join(dir, 'pipe');
spawnSync('mkfifo', [fifo]);
const zero = join(dir, 'zero');
symlinkSync('/dev/zero', zero);
const folder = join(dir, 'folder');
mkdirSync(folder);
const big = join(dir, 'big');
writeFileSync(big, Buffer.alloc(3 * 1024 * 1024 + 1));
const small = join(dir, 'small.json');
writeFileSync(small, '{"a":1}');

describe('the safe file reader', () => {
  it('reads a regular file, and one reached through a link', () => {
    const link = join(dir, 'link.json');
    symlinkSync(small, link);
    expect(readTextSafe(small, 100)).toBe('{"a":1}');
    expect(readTextSafe(link, 100)).toBe('{"a":1}');
  });

  it('refuses a FIFO at once instead of waiting for a writer, a link to /dev/zero and a folder, naming what they are', async () => {
    expect(() => readFileSafe(fifo, 100, 'pipe')).toThrow('pipe: not a regular file (a FIFO)');
    expect(() => readFileSafe(zero, 100, 'zero')).toThrow('zero: not a regular file (a character device)');
    expect(() => readFileSafe(folder, 100, 'folder')).toThrow('folder: not a regular file (a directory)');
    await expect(readFileSafeAsync(fifo, 100, 'pipe')).rejects.toThrow('pipe: not a regular file (a FIFO)');
    await expect(readFileSafeAsync(zero, 100, 'zero')).rejects.toThrow('zero: not a regular file (a character device)');
  });

  it('refuses a file over its limit, naming the limit; a missing file stays ENOENT', async () => {
    expect(() => readFileSafe(big, 3 * 1024 * 1024, 'big')).toThrow('big: larger than 3 MB');
    await expect(readFileSafeAsync(big, 3 * 1024 * 1024, 'big')).rejects.toThrow('big: larger than 3 MB');
    expect(readFileSafe(big, 3 * 1024 * 1024 + 1).length).toBe(3 * 1024 * 1024 + 1);
    let missing: unknown;
    try {
      readFileSafe(join(dir, 'gone'), 100);
    } catch (err) {
      missing = err;
    }
    expect((missing as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(describeReadError('gone', missing)).toBe('gone cannot be read (ENOENT)');
  });
});
