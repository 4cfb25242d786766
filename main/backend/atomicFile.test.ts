import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appendDurable, makeDirs, writeFileAtomic } from './atomicFile';
import { smallDisks, SMALL_DISK_SKIP } from './testDisk';

const smallDisk = smallDisks();

const root = join(import.meta.dirname, '..', '..');

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temp file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const file = join(dir, 'run.json');
    writeFileAtomic(file, 'old');
    writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['run.json']);
  });

  it('keeps the old file when the write fails before the rename, and removes its temp file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const file = join(dir, 'run.json');
    writeFileAtomic(file, '{"v":1}');
    expect(() =>
      writeFileAtomic(file, '{"v":2}', {
        beforeRename: () => {
          throw new Error('crash');
        },
      }),
    ).toThrow('crash');
    expect(readFileSync(file, 'utf8')).toBe('{"v":1}');
    expect(readdirSync(dir)).toEqual(['run.json']);
  });

  it('a process killed (SIGKILL) between write and rename leaves the old file whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const file = join(dir, 'run.json');
    writeFileSync(file, '{"v":1}');
    const script = join(dir, 'crash.ts');
    writeFileSync(
      script,
      `import { writeFileAtomic } from ${JSON.stringify(pathToFileURL(join(root, 'main', 'backend', 'atomicFile.ts')).href)};
writeFileAtomic(${JSON.stringify(file)}, '{"v":2, "long": "${'x'.repeat(10_000)}"}', { beforeRename: () => process.kill(process.pid, 'SIGKILL') });
console.log('not reached');`,
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).not.toContain('not reached');
    expect(readFileSync(file, 'utf8')).toBe('{"v":1}');
    // The finished temp file is left behind (with the dead process's id) and never read as run.json.
    const leftovers = readdirSync(dir).filter((n) => n.endsWith('.tmp'));
    expect(leftovers).toHaveLength(1);
    expect(readFileSync(join(dir, leftovers[0]!), 'utf8')).toMatch(/^\{"v":2/);
  });
});

describe('appendDurable', () => {
  it.skipIf(SMALL_DISK_SKIP)(`cuts a failed append back off, so the lines before stay whole (a real full disk)${SMALL_DISK_SKIP ? `: skipped, ${SMALL_DISK_SKIP}` : ''}`, () => {
    const disk = smallDisk(256 * 1024);
    const file = join(disk.dir, 'metrics.jsonl');
    writeFileSync(file, '{"epoch":1}\n');
    disk.fill(4096);
    // More than the room left: part of it would land, then ENOSPC.
    expect(() => appendDurable(file, `{"epoch":2,"pad":"${'x'.repeat(64 * 1024)}"}\n`)).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    expect(readFileSync(file, 'utf8')).toBe('{"epoch":1}\n');
    disk.free();
    appendDurable(file, '{"epoch":2}\n');
    expect(readFileSync(file, 'utf8')).toBe('{"epoch":1}\n{"epoch":2}\n');
  });

  it.skipIf(SMALL_DISK_SKIP)(`a write that fills the disk leaves the old file and no temp file${SMALL_DISK_SKIP ? `: skipped, ${SMALL_DISK_SKIP}` : ''}`, () => {
    const disk = smallDisk(256 * 1024);
    const file = join(disk.dir, 'run.json');
    writeFileAtomic(file, '{"v":1}');
    disk.fill(4096);
    expect(() => writeFileAtomic(file, `{"v":2,"pad":"${'x'.repeat(64 * 1024)}"}`)).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    expect(readFileSync(file, 'utf8')).toBe('{"v":1}');
    expect(readdirSync(disk.dir).sort()).toEqual(['filler', 'run.json']);
  });

  it('appends', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'append-')), 'metrics.jsonl');
    writeFileSync(file, 'a\n');
    appendDurable(file, 'b\n');
    expect(readFileSync(file, 'utf8')).toBe('a\nb\n');
  });
});

describe('makeDirs', () => {
  it('makes nested folders, accepts existing ones, and refuses at once where mkdir -p would spin (/proc)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dirs-'));
    makeDirs(join(dir, 'a', 'b', 'c'));
    makeDirs(join(dir, 'a', 'b'));
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['c']);
    writeFileSync(join(dir, 'file'), '');
    expect(() => makeDirs(join(dir, 'file'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    if (process.platform === 'linux') expect(() => makeDirs('/proc/bottleneck/x')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
