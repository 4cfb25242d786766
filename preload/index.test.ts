import { beforeEach, describe, expect, it, vi } from 'vitest';

const exposed: Record<string, unknown> = {};
const invoke = vi.fn();
const listeners = new Map<string, (...args: unknown[]) => void>();

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => void (exposed[key] = value) },
  webUtils: { getPathForFile: (file: { name: string }) => `/dropped/${file.name}` },
  ipcRenderer: {
    invoke: (...args: unknown[]) => invoke(...args),
    on: (channel: string, handler: (...args: unknown[]) => void) => void listeners.set(channel, handler),
    removeListener: (channel: string) => void listeners.delete(channel),
  },
}));

describe('preload bridge', () => {
  beforeEach(() => invoke.mockReset());

  it('exposes the contract as window.bottleneck, and a dropped file\'s path, nothing else', async () => {
    await import('./index');
    expect(Object.keys(exposed)).toEqual(['bottleneck', 'bottleneckFiles']);
    expect(Object.keys(exposed.bottleneck as object).sort()).toEqual(['invoke', 'on']);
    const files = exposed.bottleneckFiles as { pathForFile: (f: unknown) => string };
    expect(Object.keys(files)).toEqual(['pathForFile']);
    expect(files.pathForFile({ name: 'shoes' })).toBe('/dropped/shoes');
  });

  it('refuses channels outside the contract before they reach IPC', async () => {
    const { bridge } = await import('./index');
    await expect(bridge.invoke('fs:read' as never, {} as never)).rejects.toThrow('unknown channel "fs:read"');
    expect(invoke).not.toHaveBeenCalled();
  });

  it('unwraps results and turns error envelopes into errors', async () => {
    const { bridge } = await import('./index');
    invoke.mockResolvedValueOnce({ ok: true, result: [] });
    await expect(bridge.invoke('runs:list', {})).resolves.toEqual([]);
    invoke.mockResolvedValueOnce({ ok: false, error: 'train:stop: runId: expected string' });
    await expect(bridge.invoke('train:stop', { runId: 1 as never })).rejects.toThrow('train:stop: runId: expected string');
  });

  it('returns an unsubscribe from on()', async () => {
    const { bridge } = await import('./index');
    const seen: unknown[] = [];
    const off = bridge.on((e) => seen.push(e));
    listeners.get('bottleneck:event')!({}, { type: 'backend-ready' });
    off();
    expect(seen).toEqual([{ type: 'backend-ready' }]);
    expect(listeners.has('bottleneck:event')).toBe(false);
  });
});
