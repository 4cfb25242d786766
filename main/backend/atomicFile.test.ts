import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appendDurable, writeFileAtomic } from './atomicFile';

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

  it('keeps the old file when the write fails before the rename', () => {
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
    expect(readdirSync(dir).sort()).toEqual(['run.json', `run.json.${process.pid}.tmp`]);
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
  it('appends', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'append-')), 'metrics.jsonl');
    writeFileSync(file, 'a\n');
    appendDurable(file, 'b\n');
    expect(readFileSync(file, 'utf8')).toBe('a\nb\n');
  });
});
