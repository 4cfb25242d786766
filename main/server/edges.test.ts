/** Edges of browser mode that are not about who may call it: slow clients, body limits per channel. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BottleneckApi } from '../../core/api';
import { parseRequest } from '../../core/apiSchema';
import { SERVER_TIMEOUTS, startServer, type RunningServer } from './server';

const api: BottleneckApi = {
  invoke: async (channel, payload) => {
    parseRequest(channel, payload);
    return [] as never;
  },
  on: () => () => {},
};

let running: RunningServer;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'static-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Bottleneck</title>');
  running = await startServer({ api, staticDir: dir, port: 0, timeouts: { headersMs: 400, requestMs: 1_500 } });
});
afterAll(() => running.close());

/** Opens a raw connection, sends `text` and never more; resolves with what came back and when it closed. */
function stall(text: string): Promise<{ reply: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(running.port, '127.0.0.1', () => socket.write(text));
    let reply = '';
    socket.on('data', (d) => (reply += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve({ reply, ms: Date.now() - started }));
  });
}

const host = () => `127.0.0.1:${running.port}`;

describe('slow clients', () => {
  it('cuts off a connection that never finishes its headers, while other requests are answered', async () => {
    const stalled = stall(`GET / HTTP/1.1\r\nHost: ${host()}\r\nX-Slow: 1\r\n`);
    // Requests keep arriving on other connections; each is answered.
    for (let i = 0; i < 3; i++) expect((await fetch(`http://${host()}/`)).status).toBe(200);
    const { reply, ms } = await stalled;
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(5_000);
  });

  it('cuts off a request whose body never arrives', async () => {
    const { reply, ms } = await stall(`POST /api/runs:list HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nAuthorization: token ${running.token}\r\nContent-Length: 100\r\n\r\n{`);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(6_000);
  });

  it('serves with bounded header and request times', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'static-'));
    const server = await startServer({ api, staticDir: dir, port: 0 });
    try {
      expect([server.server.headersTimeout, server.server.requestTimeout]).toEqual([SERVER_TIMEOUTS.headersMs, SERVER_TIMEOUTS.requestMs]);
      expect(SERVER_TIMEOUTS.headersMs).toBeLessThanOrEqual(30_000);
    } finally {
      await server.close();
    }
  });
});
