import { describe, expect, it } from 'vitest';
import type { ApiEvent, BottleneckApi } from '../../core/api';
import { CHANNELS } from '../../core/apiChannels';
import { parseRequest } from '../../core/apiSchema';
import { EVENT_CHANNEL } from '../../core/apiChannels';
import { bindIpc, type IpcMainLike } from './ipcAdapter';

type Handler = Parameters<IpcMainLike['handle']>[1];

function fakeIpc() {
  const handlers = new Map<string, Handler>();
  const ipc: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  return { ipc, handlers };
}

/** A backend stand-in that validates like the real one and echoes what it was asked. */
function fakeApi() {
  const listeners = new Set<(e: ApiEvent) => void>();
  const api: BottleneckApi = {
    invoke: async (channel, payload) => {
      const { request } = parseRequest(channel, payload);
      return { channel, request } as never;
    },
    on: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { api, listeners };
}

const trusted = { senderFrame: { url: 'app://bottleneck/index.html' } };

describe('Electron IPC adapter', () => {
  it('registers one handler per contract channel, nothing generic', () => {
    const { ipc, handlers } = fakeIpc();
    bindIpc(ipc, fakeApi().api, () => {}, (u) => u.startsWith('app://bottleneck'));
    expect([...handlers.keys()].sort()).toEqual([...CHANNELS].sort());
  });

  it('passes valid payloads through and returns invalid ones as errors naming the field', async () => {
    const { ipc, handlers } = fakeIpc();
    bindIpc(ipc, fakeApi().api, () => {}, () => true);
    expect(await handlers.get('train:stop')!(trusted, { runId: 'abc' })).toEqual({ ok: true, result: { channel: 'train:stop', request: { runId: 'abc' } } });
    expect(await handlers.get('train:stop')!(trusted, { runId: 42 })).toEqual({ ok: false, error: expect.stringMatching(/^train:stop: runId: /) });
    expect(await handlers.get('train:start')!(trusted, { graph: { format: 'nope' }, datasetId: 'd' })).toEqual({
      ok: false,
      error: expect.stringMatching(/graph: not a graph document/),
    });
  });

  it('refuses requests from frames that are not the app', async () => {
    const { ipc, handlers } = fakeIpc();
    bindIpc(ipc, fakeApi().api, () => {}, (u) => u.startsWith('app://bottleneck'));
    expect(await handlers.get('runs:list')!({ senderFrame: { url: 'https://evil.example' } }, {})).toEqual({
      ok: false,
      error: 'runs:list: refused a request from https://evil.example',
    });
  });

  it('forwards pushed events and unbinds cleanly', () => {
    const { ipc, handlers } = fakeIpc();
    const { api, listeners } = fakeApi();
    const sent: [string, ApiEvent][] = [];
    const unbind = bindIpc(ipc, api, (channel, event) => sent.push([channel, event]), () => true);
    const event: ApiEvent = { type: 'backend-ready', backend: { name: 'cpu', skipped: [] } };
    for (const l of listeners) l(event);
    expect(sent).toEqual([[EVENT_CHANNEL, event]]);
    unbind();
    expect(handlers.size).toBe(0);
    expect(listeners.size).toBe(0);
  });
});
