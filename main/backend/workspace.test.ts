import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { undercomplete } from '../../core/templates/undercomplete';
import { newRunId } from './runs/naming';
import { BottleneckBackend, type BackendOptions } from './service';

const made: BottleneckBackend[] = [];
let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'workspace-'));
  vi.stubEnv('BOTTLENECK_HOME', home);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(made.splice(0).map((b) => b.dispose()));
});

function backend(options: Partial<BackendOptions> = {}): BottleneckBackend {
  const b = new BottleneckBackend({ shell: 'browser', ...options });
  made.push(b);
  return b;
}

function finishedRun(b: BottleneckBackend, date: string): string {
  const id = newRunId(new Date(date));
  b.runs.create(id, undercomplete(), 'builtin:fashion-mnist');
  b.runs.update(id, { status: 'finished' });
  return id;
}

describe('workspace commands through the contract', () => {
  it('opens the workspace folder with the desktop shell, and only says where it is elsewhere', async () => {
    expect(await backend().invoke('app:show-place', { place: 'workspace' })).toEqual({ path: home, opened: false });
    const opened: string[] = [];
    const desktop = backend({ shell: 'electron', openWithSystem: async (path) => void opened.push(path) });
    expect(await desktop.invoke('app:show-place', { place: 'workspace' })).toEqual({ path: home, opened: true });
    expect(opened).toEqual([home]);
    const failing = backend({ shell: 'electron', openWithSystem: async (path) => Promise.reject(new Error(`cannot open ${path}: no file manager`)) });
    await expect(failing.invoke('app:show-place', { place: 'workspace' })).rejects.toThrow(`cannot open ${home}: no file manager`);
  });

  it('tells the trash size before emptying it, then empties it', async () => {
    const b = backend();
    const id = finishedRun(b, '2026-04-01T00:00:00Z');
    writeFileSync(join(b.runs.dir(id), 'checkpoints', 'weights.bin'), Buffer.alloc(50_000));
    await b.invoke('runs:delete', { runIds: [id] });
    const trash = await b.invoke('workspace:trash', {});
    expect(trash).toMatchObject({ path: join(home, 'runs', '.trash'), runs: 1 });
    expect(trash.bytes).toBeGreaterThan(50_000);
    expect(await b.invoke('workspace:empty-trash', {})).toEqual(trash);
    expect(existsSync(join(home, 'runs', '.trash', id))).toBe(false);
    await expect(b.invoke('runs:restore', { runIds: [id] })).rejects.toThrow(`run ${id} is not in the trash`);
  });

  it('writes a note and tags, announces the change, and refuses bad tags naming the field', async () => {
    const b = backend();
    const id = finishedRun(b, '2026-04-02T00:00:00Z');
    const events: string[] = [];
    b.on((e) => events.push(e.type));
    expect(await b.invoke('runs:annotate', { runId: id, note: 'first try', tags: ['baseline'] })).toMatchObject({ id, note: 'first try', tags: ['baseline'] });
    expect(events).toEqual(['runs-changed']);
    expect((await b.invoke('runs:list', {}))[0]).toMatchObject({ note: 'first try', tags: ['baseline'] });
    await expect(b.invoke('runs:annotate', { runId: id, tags: ['a,b'] })).rejects.toThrow('runs:annotate: tags.0: a tag cannot hold a comma or a line break ("a,b")');
    await expect(b.invoke('runs:annotate', { runId: id, note: 'x'.repeat(10_001) })).rejects.toThrow(/^runs:annotate: note: a note is at most 10,000 characters/);
    await expect(b.invoke('runs:annotate', { runId: '20260101T000000Z-none', note: 'x' })).rejects.toThrow(/run 20260101T000000Z-none: run\.json is missing/);
  });
});
