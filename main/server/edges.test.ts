/** Edges of browser mode that are not about who may call it: slow clients, body limits per channel. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BottleneckApi } from '../../core/api';
import { parseRequest } from '../../core/apiSchema';
import { formatBytes } from '../../core/format';
import { MAX_IMAGE_FILE_BYTES, MAX_REQUEST_BYTES, maxRequestBytes } from '../../core/limits';
import { newRunId } from '../backend/runs/naming';
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
    const server = await startServer({ api, staticDir: mkdtempSync(join(tmpdir(), 'static-')), port: 0 });
    try {
      expect([server.server.headersTimeout, server.server.requestTimeout]).toEqual([SERVER_TIMEOUTS.headersMs, SERVER_TIMEOUTS.requestMs]);
      expect(SERVER_TIMEOUTS.headersMs).toBeLessThanOrEqual(30_000);
    } finally {
      await server.close();
    }
  });
});

/** A call with the token, as another local process makes it. */
async function post(server: RunningServer, channel: string, body: string) {
  const res = await fetch(`${server.url}/api/${channel}`, { method: 'POST', headers: { authorization: `token ${server.token}`, 'content-type': 'application/json' }, body });
  return { status: res.status, body: (await res.json()) as { ok: boolean; error?: string } };
}

/** model:prepare-image's request for an image file of `bytes` bytes (its base64 text, the content does not matter here). */
const imageRequest = (bytes: number) => JSON.stringify({ runId: newRunId(), bytes: 'A'.repeat(Math.ceil(bytes / 3) * 4), name: 'big.png' });

describe('one limit for a dropped image', () => {
  it('takes a 20 MB image (the README says up to 32 MB), refuses one over 32 MB, and keeps 16 MB for other calls', async () => {
    // The usual timeouts: tens of megabytes take longer than the short ones above allow.
    const server = await startServer({ api, staticDir: mkdtempSync(join(tmpdir(), 'static-')), port: 0 });
    try {
      expect(await post(server, 'model:prepare-image', imageRequest(20 * 2 ** 20))).toEqual({ status: 200, body: { ok: true, result: [] } });
      expect(await post(server, 'model:prepare-image', imageRequest(MAX_IMAGE_FILE_BYTES))).toMatchObject({ status: 200 });
      const over = await post(server, 'model:prepare-image', imageRequest(MAX_IMAGE_FILE_BYTES + 2 ** 20));
      expect(over.status).toBe(413);
      expect(over.body.error).toBe(`the request is larger than ${formatBytes(maxRequestBytes('model:prepare-image'))}, the most this server reads`);
      const graph = await post(server, 'graphs:write', JSON.stringify({ path: '/tmp/x.bottleneck.json', text: 'x'.repeat(MAX_REQUEST_BYTES) }));
      expect([graph.status, graph.body.error]).toEqual([413, `the request is larger than ${formatBytes(MAX_REQUEST_BYTES)}, the most this server reads`]);
    } finally {
      await server.close();
    }
  }, 60_000);
});
