import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ApiEvent, BottleneckApi } from '../../core/api';
import { parseRequest } from '../../core/apiSchema';
import { MAX_GRAPH_TEXT_BYTES, MAX_REQUEST_BYTES } from '../../core/limits';
import { startServer, type RunningServer } from './server';

const listeners = new Set<(e: ApiEvent) => void>();
const api: BottleneckApi = {
  invoke: async (channel, payload) => {
    const { request: r } = parseRequest(channel, payload);
    if (channel === 'runs:list') return [] as never;
    if (channel === 'graphs:write') return { path: (r as { path: string }).path } as never;
    if (channel === 'runs:detail') throw new TypeError("Cannot read properties of undefined (reading 'x')");
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

/** A request from another local process (no Origin): it carries the token unless `token` is null. */
function call(path: string, body: string | Buffer, headers: Record<string, string> = {}, options: { method?: string; token?: string | null; server?: RunningServer } = {}) {
  const server = options.server ?? running;
  const token = options.token === undefined ? server.token : options.token;
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
    const url = new URL(server.url);
    const req = request(
      { host: url.hostname, port: url.port, path, method: options.method ?? 'POST', headers: { 'content-type': 'application/json', ...(token !== null && { authorization: `token ${token}` }), ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The server still answers a normal request. */
async function alive(server = running) {
  expect(await call('/api/runs:list', '{}', {}, { server })).toMatchObject({ status: 200, body: '{"ok":true,"result":[]}' });
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
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: expect.stringMatching(/^train:stop: runId/) });
    expect((await call('/api/fs:read', '{}')).status).toBe(404);
    expect(JSON.parse((await call('/api/runs:list', '{oops')).body).error).toMatch(/not valid JSON/);
  });

  it('refuses other hosts and cross-site origins', async () => {
    expect((await call('/api/runs:list', '{}', { host: 'evil.example' })).status).toBe(403);
    expect((await call('/api/runs:list', '{}', { origin: 'https://evil.example' })).status).toBe(403);
    // Exact comparison: a name that merely starts like ours is someone else's.
    const port = new URL(running.url).port;
    expect((await call('/api/runs:list', '{}', { origin: `http://127.0.0.1:${port}.evil.example` })).status).toBe(403);
    expect((await call('/api/runs:list', '{}', { origin: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}.evil.example` })).status).toBe(403);
  });

  it('answers a malformed address with 400 and keeps serving', async () => {
    for (const path of ['/%E0%A4%A', '/%', '/assets/%C0%AF', '/%00', '/a%00b.js']) {
      const r = await call(path, '', {}, { method: 'GET' });
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.status, path).toBeLessThan(500);
      expect(r.body, path).not.toMatch(/\n\s+at /);
    }
    expect((await call('/%E0%A4%A', '', {}, { method: 'GET' })).body).toMatch(/malformed request address/);
    // An escaped way out of the folder stays inside it (the app's page, not the file).
    expect((await call('/..%2f..%2f..%2fetc%2fpasswd', '', {}, { method: 'GET' })).body).toContain('<title>Bottleneck</title>');
    await alive();
  });

  it('turns a handler that throws into a 500 with its message, never a stack', async () => {
    const logged: string[] = [];
    const own = await startServer({ api, staticDir: mkdtempSync(join(tmpdir(), 'static-')), port: 0, log: (m) => logged.push(m) });
    try {
      const r = await call('/api/runs:detail', JSON.stringify({ runId: 'x' }), {}, { server: own });
      expect(r.status).toBe(500);
      expect(JSON.parse(r.body)).toEqual({ ok: false, error: "Cannot read properties of undefined (reading 'x')" });
      // The renderer is not built here: a clear 500 for pages too.
      const page = await call('/', '', {}, { method: 'GET', server: own });
      expect(page).toMatchObject({ status: 500, body: expect.stringMatching(/^the renderer is not built/) });
      await alive(own);
    } finally {
      await own.close();
    }
  });

  it('answers a header block too large with 431 and a request cut off mid-body without a fault', async () => {
    const logged: string[] = [];
    const own = await startServer({ api, staticDir: mkdtempSync(join(tmpdir(), 'static-')), port: 0, log: (m) => logged.push(m) });
    try {
      // (431 checked last: a 400 there would hide whether the cut-off request was logged)
      const headers = await call('/', '', { 'x-big': 'x'.repeat(64 * 1024) }, { method: 'GET', server: own });
      // The client goes once the server holds the request's head and part of its body; the test
      // goes on once the server has seen the connection close.
      const url = new URL(own.url);
      const req = request({ host: url.hostname, port: url.port, path: '/api/runs:list', method: 'POST', headers: { 'content-length': '1000', authorization: `token ${own.token}` } });
      req.on('error', () => {});
      await new Promise<void>((resolve) => {
        own.server.once('request', (received: IncomingMessage) => {
          received.once('data', () => req.destroy());
          received.once('close', () => resolve());
        });
        req.write('{"partial":');
      });
      await alive(own);
      expect(logged).toEqual([]);
      expect(headers.status).toBe(431);
    } finally {
      await own.close();
    }
  });

  it('answers a body over the limit with 413 and a message, not a reset connection', async () => {
    const huge = Buffer.alloc(MAX_REQUEST_BYTES + 1024, 0x20);
    const r = await call('/api/graphs:write', huge);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toEqual({ ok: false, error: 'the request is larger than 16 MB, the most this server reads' });
    await alive();
  });

  it('any graph text the schema allows fits in a request; a larger one is refused by name', async () => {
    const text = '"\n'.repeat(MAX_GRAPH_TEXT_BYTES / 2); // each escapes to two bytes: the worst a graph file can be
    const ok = await call('/api/graphs:write', JSON.stringify({ path: 'big', text, overwrite: true }));
    expect(ok).toMatchObject({ status: 200, body: '{"ok":true,"result":{"path":"big"}}' });
    const over = await call('/api/graphs:write', JSON.stringify({ path: 'big', text: `${text} `, overwrite: true }));
    expect(over.status).toBe(400);
    expect(JSON.parse(over.body).error).toBe('graphs:write: text: the graph text is larger than 8 MB');
  });

  it('on loopback: a browser (with an Origin) needs no token, another process needs it', async () => {
    const port = new URL(running.url).port;
    expect((await call('/api/runs:list', '{}', { origin: `http://127.0.0.1:${port}` }, { token: null })).status).toBe(200);
    expect((await call('/api/runs:list', '{}', { origin: `http://localhost:${port}`, host: `localhost:${port}` }, { token: null })).status).toBe(200);
    const missing = await call('/api/runs:list', '{}', {}, { token: null });
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body).error).toMatch(/needs its access token/);
    expect((await call('/api/runs:list', '{}', {}, { token: 'not-the-token' })).status).toBe(401);
    expect((await call('/api/runs:list', '{}', { cookie: `bottleneck-token-${port}=${running.token}` }, { token: null })).status).toBe(200);
    // Pages themselves are public (the app's own bundle).
    expect((await call('/', '', {}, { method: 'GET', token: null })).status).toBe(200);
  });

  it('exchanges ?token= for an HttpOnly SameSite=Strict cookie and takes it out of the address', async () => {
    const r = await call(`/runs?tab=all&token=${running.token}`, '', {}, { method: 'GET', token: null });
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('/runs?tab=all');
    expect(r.headers['set-cookie']).toEqual([`bottleneck-token-${new URL(running.url).port}=${running.token}; HttpOnly; SameSite=Strict; Path=/`]);
    expect((await call('/?token=wrong', '', {}, { method: 'GET', token: null })).status).toBe(401);
    expect(running.openUrl).toBe(`${running.url}/?token=${running.token}`);
  });

  it('pushes events over the WebSocket', async () => {
    const ws = new WebSocket(`${running.url.replace('http', 'ws')}/api/events`, { origin: running.url });
    await new Promise((resolve) => ws.once('open', resolve));
    const got = new Promise<ApiEvent>((resolve) => ws.once('message', (m) => resolve(JSON.parse(String(m)))));
    const event: ApiEvent = { type: 'backend-ready', backend: { name: 'cpu', skipped: [] } };
    for (const l of listeners) l(event);
    expect(await got).toEqual(event);
    ws.close();
  });

  it('refuses a socket without token or with a foreign origin, and survives a malformed frame', async () => {
    const status = (url: string, options: ConstructorParameters<typeof WebSocket>[2]) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, options);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
        ws.on('open', () => (ws.close(), resolve(101)));
        ws.on('error', () => resolve(0));
      });
    const events = `${running.url.replace('http', 'ws')}/api/events`;
    expect(await status(events, {})).toBe(401);
    expect(await status(events, { origin: 'http://evil.example' })).toBe(403);
    expect(await status(events, { headers: { authorization: `token ${running.token}` } })).toBe(101);
    expect(await status(`${running.url.replace('http', 'ws')}/elsewhere`, { origin: running.url })).toBe(404);
    // A frame with a reserved opcode: the client is dropped, the server stays.
    const ws = new WebSocket(events, { origin: running.url });
    await new Promise((resolve) => ws.once('open', resolve));
    const closed = new Promise((resolve) => ws.once('close', resolve));
    (ws as unknown as { _socket: import('node:net').Socket })._socket.write(Buffer.from([0x83, 0x80, 0, 0, 0, 0]));
    await closed;
    await alive();
  });

  it('bound to the network: every call needs the token, and the machine\'s own names are its hosts', async () => {
    const own = await startServer({ api, staticDir: mkdtempSync(join(tmpdir(), 'static-')), host: '0.0.0.0', port: 0 });
    try {
      expect(own.loopback).toBe(false);
      const port = own.port;
      const address = Object.values(networkInterfaces()).flat().find((i) => i && !i.internal && i.family === 'IPv4')?.address ?? '127.0.0.1';
      for (const name of [`127.0.0.1:${port}`, `${hostname()}:${port}`, `${address}:${port}`]) {
        const origin = `http://${name}`;
        expect((await call('/api/runs:list', '{}', { host: name, origin }, { server: own, token: null })).status, name).toBe(401);
        expect((await call('/api/runs:list', '{}', { host: name, origin, cookie: `bottleneck-token-${port}=${own.token}` }, { server: own, token: null })).status, name).toBe(200);
      }
      // The bind address itself is not a name of this machine: a forged Host.
      expect((await call('/api/runs:list', '{}', { host: `0.0.0.0:${port}` }, { server: own })).status).toBe(403);
      expect((await call('/api/runs:list', '{}', { host: `evil.example:${port}` }, { server: own })).status).toBe(403);
    } finally {
      await own.close();
    }
  });
});
