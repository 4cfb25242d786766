/**
 * The probe of issue 14, kept as a suite: browser mode over the real backend, hit with malformed
 * payloads on every channel (fast-check, bounded), malformed addresses, foreign hosts and origins,
 * missing tokens, oversize bodies, FIFOs and links in the graphs folder, deep nesting and huge
 * strings. After each, the server is alive and answers a normal request, and the bad request got a
 * clear error: a 4xx with a message, never a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../core/apiChannels';
import { parseRequest } from '../../core/apiSchema';
import { MAX_ERROR_LENGTH } from '../../core/limits';
import { buildTemplate } from '../../core/templates';
import { BUILTIN_FASHION_MNIST } from '../backend/datasets';
import { BottleneckBackend } from '../backend/service';
import { startServer, type RunningServer } from './server';

let home: string;
let backend: BottleneckBackend;
let server: RunningServer;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'security-'));
  const staticDir = join(home, 'renderer');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Bottleneck</title>');
  backend = new BottleneckBackend({ shell: 'browser', runsRoot: join(home, 'runs'), graphsRoot: join(home, 'graphs') });
  server = await startServer({ api: backend, staticDir, port: 0, log: () => {} });
});

afterAll(async () => {
  await server.close();
  await backend.dispose();
});

interface Reply {
  status: number;
  body: string;
}

/** A raw request: any path, any headers, any body. The token (as another local process) unless `token` is null. */
function send(path: string, body: string | Buffer = '', options: { method?: string; headers?: Record<string, string>; token?: string | null } = {}): Promise<Reply> {
  const url = new URL(server.url);
  const token = options.token === undefined ? server.token : options.token;
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: options.method ?? 'POST', headers: { ...(token !== null && { authorization: `token ${token}` }), ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A clear refusal: 4xx, and a message (JSON for the API) that carries no stack trace and is short. */
function expectClearError(reply: Reply, what: string) {
  expect(reply.status, `${what}: ${reply.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(reply.status, `${what}: ${reply.body.slice(0, 200)}`).toBeLessThan(500);
  const message = reply.body.startsWith('{') ? (JSON.parse(reply.body) as { ok: boolean; error: string }).error : reply.body;
  expect(message, what).toMatch(/\S/);
  expect(message, what).not.toMatch(/\n\s+at |node:internal|\.ts:\d+/);
  expect(message.length, what).toBeLessThanOrEqual(MAX_ERROR_LENGTH + 100);
}

async function expectAlive() {
  const reply = await send('/api/runs:list', '{}');
  expect(reply.status).toBe(200);
  expect(JSON.parse(reply.body)).toMatchObject({ ok: true });
}

/** Channels whose well-formed request would act (train, scan the disk, write, delete): the fuzz sends them only malformed ones. */
const ACTING = new Set(['experiments:create', 'experiments:stop', 'train:start', 'train:stop', 'train:pause', 'train:resume', 'runs:update', 'runs:delete', 'runs:restore', 'runs:continue', 'graphs:write', 'graphs:read', 'datasets:scan', 'datasets:browse']);

const malformed = fc.oneof(
  fc.anything({ maxDepth: 4, maxKeys: 6, withBigInt: false, withTypedArray: false, withSparseArray: true, withNullPrototype: true }),
  fc.record({ runId: fc.oneof(fc.integer(), fc.constant(''), fc.string({ minLength: 65, maxLength: 300 }), fc.array(fc.string())) }),
  fc.record({ path: fc.oneof(fc.integer(), fc.constant(''), fc.constant(null), fc.string({ minLength: 4097, maxLength: 5000 })) }),
  fc.record({ graph: fc.anything({ maxDepth: 3 }), datasetId: fc.oneof(fc.string(), fc.integer()) }),
  fc.record({ runId: fc.constantFrom('20260101T000000Z-abcd', 'x'), epoch: fc.oneof(fc.double(), fc.constant(-1), fc.constant(0), fc.string()) }),
  fc.record({ runIds: fc.oneof(fc.constant([]), fc.array(fc.integer()), fc.array(fc.string(), { minLength: 1001, maxLength: 1002 })) }),
  fc.record({ enabled: fc.dictionary(fc.string({ minLength: 65, maxLength: 80 }), fc.boolean(), { minKeys: 1, maxKeys: 2 }) }),
);

describe('browser mode against hostile input', () => {
  it('fuzz: malformed payloads on every channel get a clear 4xx, and the server keeps answering', async () => {
    const started = Date.now();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CHANNELS), malformed, async (channel, payload) => {
        let parses = true;
        try {
          parseRequest(channel, payload);
        } catch {
          parses = false;
        }
        // A well-formed request of an acting channel is not this test's business (it would train or scan).
        fc.pre(!(parses && ACTING.has(channel)));
        const body = JSON.stringify(payload) ?? 'null';
        const reply = await send(`/api/${channel}`, body, { headers: { 'content-type': 'application/json' } });
        sent++;
        if (reply.status === 200) expect(parses, `${channel} ${body.slice(0, 200)}`).toBe(true);
        else expectClearError(reply, `${channel} ${body.slice(0, 200)}`);
      }),
      { numRuns: 1500, seed: 14, endOnFailure: true },
    );
    // Bodies that are not JSON, on any channel; channels that do not exist.
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CHANNELS), fc.oneof(fc.string(), fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1'))), async (channel, text) => {
        fc.pre(!/^\s*$/.test(text));
        let json = true;
        try {
          JSON.parse(text);
        } catch {
          json = false;
        }
        fc.pre(!json);
        expectClearError(await send(`/api/${channel}`, text), `${channel} body ${JSON.stringify(text).slice(0, 100)}`);
        sent++;
      }),
      { numRuns: 150, seed: 15 },
    );
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9:._~%-]{1,80}$/), async (name) => {
        fc.pre(!(CHANNELS as readonly string[]).includes(name));
        expectClearError(await send(`/api/${name}`, '{}'), `channel ${name}`);
        sent++;
      }),
      { numRuns: 100, seed: 16 },
    );
    await expectAlive();
    // The size and time of this fuzz, for the record.
    console.info(`fuzz: ${sent} requests in ${Date.now() - started} ms`);
    expect(sent).toBeGreaterThan(500);
  });

  it('malformed addresses: 400, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.constantFrom('%', '%E0%A4%A', '%C0', '%FF', '%00', '..', '/', '%2e%2e', '%2f', '?', '#', 'a'), fc.stringMatching(/^%[0-9A-Fa-f]?$/)), { minLength: 1, maxLength: 12 }), async (parts) => {
        const path = `/${parts.join('')}`;
        const reply = await send(path, '', { method: 'GET' });
        // Either the app's page (a path that decodes) or a clear refusal.
        if (reply.status !== 200) expectClearError(reply, path);
        else expect(reply.body).toContain('<title>Bottleneck</title>');
      }),
      { numRuns: 150, seed: 17 },
    );
    for (const path of ['/%E0%A4%A', '/api/%E0%A4%A', '/assets/%']) expectClearError(await send(path, '', { method: 'GET' }), path);
    await expectAlive();
  });

  it('foreign Host or Origin: 403; a missing or wrong token: 401', async () => {
    const port = server.port;
    const cases: [Record<string, string>, string | null, number][] = [
      [{ host: 'evil.example' }, server.token, 403],
      [{ host: `0.0.0.0:${port}` }, server.token, 403],
      [{ host: `127.0.0.1:${port}.evil.example` }, server.token, 403],
      [{ origin: 'http://evil.example' }, server.token, 403],
      [{ origin: `http://127.0.0.1:${port}.evil.example` }, server.token, 403],
      [{ origin: 'null' }, server.token, 403],
      [{}, null, 401],
      [{}, 'wrong', 401],
      [{ cookie: `bottleneck-token-${port}=wrong` }, null, 401],
    ];
    for (const [headers, token, status] of cases) {
      const reply = await send('/api/runs:list', '{}', { headers, token });
      expect(reply.status, JSON.stringify(headers)).toBe(status);
      expectClearError(reply, JSON.stringify(headers));
    }
    await expectAlive();
  });

  it('oversize bodies: 413 with a message, before and after the declared length', async () => {
    const huge = Buffer.alloc(20 * 1024 * 1024, 0x61);
    const reply = await send('/api/graphs:write', huge);
    expect(reply.status).toBe(413);
    expectClearError(reply, 'oversize body');
    // A 50 MB graph name cannot even be sent; one inside the limit is refused by name.
    const named = { ...buildTemplate('undercomplete'), name: 'n'.repeat(1_000_000) };
    const refused = await send('/api/train:start', JSON.stringify({ graph: named, datasetId: BUILTIN_FASHION_MNIST }));
    expectClearError(refused, 'huge graph name');
    expect(JSON.parse(refused.body).error).toBe("train:start: graph: name: longer than 1,000 characters (1,000,000)");
    await expectAlive();
  });

  it('a FIFO, a folder and a link out of the workspace named like graphs: refused at once', async () => {
    const graphs = join(home, 'graphs');
    mkdirSync(graphs, { recursive: true });
    if (process.platform !== 'win32') expect(spawnSync('mkfifo', [join(graphs, 'fifo.bottleneck.json')]).status).toBe(0);
    mkdirSync(join(graphs, 'folder.bottleneck.json'));
    const secret = join(mkdtempSync(join(tmpdir(), 'secret-')), 'secret.bottleneck.json');
    writeFileSync(secret, '{"secret": true}');
    symlinkSync(secret, join(graphs, 'link.bottleneck.json'));
    for (const name of ['fifo', 'folder', 'link', '../secret', '/etc/passwd']) {
      if (name === 'fifo' && process.platform === 'win32') continue;
      const started = Date.now();
      const reply = await send('/api/graphs:read', JSON.stringify({ path: name }));
      expect(Date.now() - started, name).toBeLessThan(2000);
      expectClearError(reply, name);
      expect(reply.body).not.toContain('secret": true');
    }
    expect((JSON.parse((await send('/api/graphs:list', '{}')).body) as { result: { name: string }[] }).result.map((f) => f.name)).not.toContain('fifo');
    await expectAlive();
  });

  it('deep nesting and huge strings: a short error, and no run folder is made', async () => {
    const graph = buildTemplate('undercomplete');
    const deep = JSON.stringify({ graph: { ...graph, nodes: [{ ...graph.nodes[0]!, params: { x: '@' } }, ...graph.nodes.slice(1)] }, datasetId: BUILTIN_FASHION_MNIST }).replace('"@"', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const nested = await send('/api/train:start', deep);
    expectClearError(nested, 'deep nesting');
    expect(JSON.parse(nested.body).error).toMatch(/nested deeper than 32 levels$/);
    const runId = await send('/api/runs:detail', JSON.stringify({ runId: 'r'.repeat(8 * 1024 * 1024 - 100) }));
    expectClearError(runId, '8 MB run id');
    expect(runId.body.length).toBeLessThan(400);
    const badDataset = await send('/api/train:start', JSON.stringify({ graph, datasetId: `builtin:${'x'.repeat(10_000)}` }));
    expectClearError(badDataset, 'huge dataset id');
    expect(badDataset.body.length).toBeLessThan(400);
    expect(readdirSync(join(home, 'runs'))).toEqual([]);
    await expectAlive();
  });
});
