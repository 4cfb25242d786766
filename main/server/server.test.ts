import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ApiEvent, BottleneckApi } from '../../core/api';
import { parseRequest } from '../../core/apiSchema';
import { startServer, type RunningServer } from './server';

const listeners = new Set<(e: ApiEvent) => void>();
const api: BottleneckApi = {
  invoke: async (channel, payload) => {
    const { request: r } = parseRequest(channel, payload);
    if (channel === 'runs:list') return [] as never;
    return { echoed: r } as never;
  },
  on: (l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

let running: RunningServer;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'static-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Bottleneck</title>');
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  running = await startServer({ api, staticDir: dir, port: 0 });
});
afterAll(() => running.close());

function call(path: string, body: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const url = new URL(path, running.url);
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('browser-mode server', () => {
  it('serves the renderer and falls back to index.html', async () => {
    expect(await (await fetch(`${running.url}/assets/app.js`)).text()).toBe('console.log(1)');
    expect(await (await fetch(`${running.url}/some/route`)).text()).toContain('<title>Bottleneck</title>');
    expect((await fetch(`${running.url}/assets/app.js`)).headers.get('content-type')).toMatch(/javascript/);
  });

  it('binds each channel to POST /api/<channel>', async () => {
    const ok = await call('/api/train:stop', JSON.stringify({ runId: 'r1' }));
    expect(JSON.parse(ok.body)).toEqual({ ok: true, result: { echoed: { runId: 'r1' } } });
    const bad = await call('/api/train:stop', JSON.stringify({ runId: 5 }));
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: expect.stringMatching(/^train:stop: runId/) });
    expect((await call('/api/fs:read', '{}')).status).toBe(404);
    expect(JSON.parse((await call('/api/runs:list', '{oops')).body).error).toMatch(/not valid JSON/);
  });

  it('refuses other hosts and cross-site origins', async () => {
    expect((await call('/api/runs:list', '{}', { host: 'evil.example' })).status).toBe(403);
    expect((await call('/api/runs:list', '{}', { origin: 'https://evil.example' })).status).toBe(403);
  });

  it('pushes events over the WebSocket', async () => {
    const ws = new WebSocket(`${running.url.replace('http', 'ws')}/api/events`);
    await new Promise((resolve) => ws.once('open', resolve));
    const got = new Promise<ApiEvent>((resolve) => ws.once('message', (m) => resolve(JSON.parse(String(m)))));
    const event: ApiEvent = { type: 'backend-ready', backend: { name: 'cpu', skipped: [] } };
    for (const l of listeners) l(event);
    expect(await got).toEqual(event);
    ws.close();
  });
});
