import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
});
