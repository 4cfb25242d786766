import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphFiles } from './graphFiles';

const files = () => new GraphFiles(join(mkdtempSync(join(tmpdir(), 'graphs-')), 'graphs'));

describe('GraphFiles', () => {
  it('saves by name into the graphs folder and lists and reads it back', () => {
    const g = files();
    expect(g.write('my model', '{"a":1}', false)).toEqual({ path: 'my model.bottleneck.json' });
    expect(g.list().map((f) => f.name)).toEqual(['my model']);
    expect(g.read('my model.bottleneck.json').text).toBe('{"a":1}');
  });

  it('never replaces an existing file unless asked, and the old content survives', () => {
    const g = files();
    g.write('m', 'old', false);
    expect(() => g.write('m', 'new', false)).toThrow(expect.objectContaining({ code: 'exists', message: 'm.bottleneck.json already exists' }));
    expect(g.read('m').text).toBe('old');
    g.write('m', 'new', true);
    expect(g.read('m').text).toBe('new');
  });

  it('refuses names that leave the folder and absolute paths not chosen in a dialog', () => {
    const g = files();
    expect(() => g.write('../escape', 'x', false)).toThrow(expect.objectContaining({ code: 'bad-name' }));
    expect(() => g.read('/etc/passwd')).toThrow(expect.objectContaining({ code: 'not-allowed' }));
    const chosen = join(mkdtempSync(join(tmpdir(), 'chosen-')), 'x.bottleneck.json');
    writeFileSync(chosen, 'hello');
    g.allow(chosen);
    expect(g.read(chosen).text).toBe('hello');
    expect(existsSync(join(g.dir, '..', 'escape.bottleneck.json'))).toBe(false);
  });

  it('says which file is missing', () => {
    expect(() => files().read('nope')).toThrow('nope: no such file');
  });

  it('writes through a temp file: a crash mid-write leaves the previous file whole', () => {
    const g = files();
    g.write('m', 'complete', false);
    writeFileSync(join(g.dir, `m.bottleneck.json.${process.pid}.tmp`), 'comp');
    expect(readFileSync(join(g.dir, 'm.bottleneck.json'), 'utf8')).toBe('complete');
  });

  it('reads only regular files: a FIFO or a folder named like a graph is refused at once, not waited on', () => {
    const g = files();
    g.write('real', '{}', false);
    mkdirSync(join(g.dir, 'folder.bottleneck.json'));
    expect(() => g.read('folder')).toThrow(expect.objectContaining({ code: 'not-allowed', message: 'folder: not a regular file (a directory), not read' }));
    if (process.platform !== 'win32') {
      expect(spawnSync('mkfifo', [join(g.dir, 'pipe.bottleneck.json')]).status).toBe(0);
      const started = Date.now();
      expect(() => g.read('pipe')).toThrow('pipe: not a regular file (a FIFO), not read');
      expect(Date.now() - started).toBeLessThan(1000);
    }
    expect(g.list().map((f) => f.name)).toEqual(['real']);
  });

  it('refuses a file over the limit without reading it', () => {
    const g = files();
    g.write('big', '', false);
    truncateSync(join(g.dir, 'big.bottleneck.json'), 8 * 1024 * 1024 + 1);
    expect(() => g.read('big')).toThrow(expect.objectContaining({ code: 'too-large', message: 'big: larger than 8 MB, not a graph file' }));
  });

  it('does not follow a link planted in the graphs folder out of it; a dangling one is not listed', () => {
    const g = files();
    g.write('inside', '{"ok":1}', false);
    const secret = join(mkdtempSync(join(tmpdir(), 'secret-')), 'secret.txt');
    writeFileSync(secret, 'password');
    symlinkSync(secret, join(g.dir, 'leak.bottleneck.json'));
    symlinkSync(join(g.dir, 'gone'), join(g.dir, 'dangling.bottleneck.json'));
    symlinkSync(join(g.dir, 'inside.bottleneck.json'), join(g.dir, 'alias.bottleneck.json'));
    expect(() => g.read('leak')).toThrow(expect.objectContaining({ code: 'not-allowed', message: 'leak: a link to a file outside the graphs folder; not read' }));
    expect(() => g.read('dangling')).toThrow(expect.objectContaining({ code: 'not-found' }));
    expect(g.read('alias').text).toBe('{"ok":1}');
    expect(g.list().map((f) => f.name).sort()).toEqual(['alias', 'inside', 'leak']);
  });

  it('saves names up to the file system\'s limit (239 characters and the suffix); a longer one is refused by name', () => {
    const g = files();
    for (const length of [230, 239]) {
      const name = 'n'.repeat(length);
      expect(g.write(name, '{}', false)).toEqual({ path: `${name}.bottleneck.json` });
      expect(g.read(name).text).toBe('{}');
    }
    expect(() => g.write('n'.repeat(240), '{}', false)).toThrow(expect.objectContaining({ code: 'bad-name', message: expect.stringMatching(/too long: a graph's name can have at most 239 characters$/) }));
    expect(readdirSync(g.dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
