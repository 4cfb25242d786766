/** The Help menu's places: opened by the desktop app, only named elsewhere (issue 21). */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BottleneckBackend, type BackendOptions } from './service';

const made: BottleneckBackend[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((b) => b.dispose()));
});

function backend(options: Partial<BackendOptions>): BottleneckBackend {
  const runsRoot = mkdtempSync(join(tmpdir(), 'places-'));
  const b = new BottleneckBackend({ shell: 'browser', runsRoot, graphsRoot: join(runsRoot, 'graphs'), settingsPath: join(runsRoot, 'settings.json'), ...options });
  made.push(b);
  return b;
}

describe("the Help menu's places", () => {
  it('are named in app:info: the guide beside the app, its docs folder and the workspace; with the memory', async () => {
    const info = await backend({ totalMemory: () => 8 * 1024 ** 3 }).invoke('app:info', {});
    expect(info.places?.guide).toMatch(/docs[/\\]guide\.md$/);
    expect(existsSync(info.places!.guide)).toBe(true);
    expect(info.places?.docs).toMatch(/docs$/);
    expect(info.places?.workspace).toBe(info.workspace);
    expect(info.totalMemory).toBe(8 * 1024 ** 3);
  });

  it('open with the system in the desktop app, and are only named in browser mode', async () => {
    const opened: string[] = [];
    const desktop = backend({ shell: 'electron', openWithSystem: async (path) => void opened.push(path) });
    const guide = await desktop.invoke('app:show-place', { place: 'guide' });
    expect(guide).toEqual({ path: opened[0], opened: true });
    expect(opened[0]).toMatch(/docs[/\\]guide\.md$/);
    expect(await backend({}).invoke('app:show-place', { place: 'workspace' })).toMatchObject({ opened: false });
    await expect(backend({}).invoke('app:show-place', { place: 'etc' as never })).rejects.toThrow();
  });
});
