/**
 * The probe of issue 23 (items 1–4), kept as a suite against `serve` in its own process, as the
 * probe ran it: run files that are a FIFO or lead to /dev/zero, graphs of 100,000 blocks and a
 * 30,000-block chain, a 16 MB code, and fifty large bodies at once. Each is answered within a
 * second with a clear refusal naming the file, field or limit, and a normal request is answered
 * within a second meanwhile. (A FIFO read blocking would freeze the server for good: in its own
 * process the test can still fail, and stop it.)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ERROR_LENGTH } from '../../core/limits';
import { buildTemplate } from '../../core/templates';
import type { GraphDoc } from '../../core/graph/types';
import { newRunId } from '../backend/runs/naming';
import { RunStore } from '../backend/runs/store';

const root = join(import.meta.dirname, '..', '..');
const home = mkdtempSync(join(tmpdir(), 'hardening-'));
const runs = new RunStore(join(home, 'runs'));

/** Run folders, each with one file replaced by something hostile, made before the server starts. */
const hostile: { runId: string; file: string; what: 'fifo' | 'zero' }[] = [];
function makeHostileRuns(): void {
  let at = 0;
  for (const file of ['run.json', 'metrics.jsonl', 'graph.json', 'notes.json']) {
    for (const what of ['fifo', 'zero'] as const) {
      const runId = newRunId(new Date(Date.UTC(2026, 0, 1, 0, 0, at++)));
      runs.create(runId, buildTemplate('undercomplete'), 'builtin:fashion-mnist');
      runs.update(runId, { status: 'stopped' });
      hostile.push({ runId, file, what });
    }
  }
  // Only once every run is written: the store reads the other runs' files when it writes one.
  for (const { runId, file, what } of hostile) {
    const path = join(runs.dir(runId), file);
    rmSync(path, { force: true });
    if (what === 'fifo') expect(spawnSync('mkfifo', [path]).status).toBe(0);
    else symlinkSync('/dev/zero', path);
  }
}

let child: ChildProcess;
let base: string;
let token: string;
let startupMs: number;

beforeAll(async () => {
  makeHostileRuns();
  const started = performance.now();
  child = spawn(process.execPath, ['--import', 'tsx', join(root, 'main', 'server', 'serve.ts'), '--port', '0'], { cwd: root, env: { ...process.env, BOTTLENECK_HOME: home, BOTTLENECK_BACKEND: 'cpu' } });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /running at (http:\/\/[^/]+)\/\?token=([0-9a-f]+)/.exec(out);
      if (found) resolve(`${found[1]}|${found[2]}`);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  startupMs = performance.now() - started;
  [base, token] = url.split('|') as [string, string];
}, 60_000);

afterAll(() => {
  child?.kill('SIGKILL');
});

interface Reply {
  status: number;
  body: string;
  ms: number;
}

/** POSTs a body to a channel; resolves with the status, the body and how long the answer took. */
function call(channel: string, body: string | Buffer): Promise<Reply> {
  const url = new URL(base);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: `/api/${channel}`, method: 'POST', headers: { authorization: `token ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A second, plus three times what parsing this body as JSON takes in this process now: the server
 * must receive, decode and parse a body before it can refuse it (about three parses' worth), and on
 * a busy machine that alone can take more than a second.
 */
function parseBudgetMs(body: string): number {
  const started = performance.now();
  JSON.parse(body);
  return 1000 + 3 * (performance.now() - started);
}

const errorOf = (reply: Reply) => (JSON.parse(reply.body) as { error: string }).error;

/** A clear refusal: 4xx (or the given status), one short line, no stack trace. */
function expectRefusal(reply: Reply, pattern: RegExp, status?: number) {
  if (status) expect(reply.status, reply.body.slice(0, 300)).toBe(status);
  else expect([reply.status >= 400, reply.status < 500], reply.body.slice(0, 300)).toEqual([true, true]);
  const error = errorOf(reply);
  expect(error).toMatch(pattern);
  expect(error).not.toMatch(/\n|\bat .*\.ts:\d+|node:internal/);
  expect(error.length).toBeLessThanOrEqual(MAX_ERROR_LENGTH);
}

async function expectNormalAnswerWithinASecond() {
  const reply = await call('graphs:list', '{}');
  expect(reply.status).toBe(200);
  expect(reply.ms).toBeLessThan(1000);
}

describe('hostile run files (a FIFO, a link to /dev/zero)', () => {
  it('serve starts and listens with them in its workspace', () => {
    expect(startupMs).toBeLessThan(30_000);
    expect(child.exitCode).toBeNull();
  });

  it('runs:list answers within a second, listing each damaged run with the file and the reason', async () => {
    const reply = await call('runs:list', '{}');
    expect(reply.status).toBe(200);
    expect(reply.ms).toBeLessThan(1000);
    const listed = (JSON.parse(reply.body) as { result: { id: string; error?: string; damaged?: string }[] }).result;
    for (const { runId, file, what } of hostile.filter((h) => h.file === 'run.json')) {
      const run = listed.find((r) => r.id === runId);
      expect(run?.error, `${file} ${what}`).toMatch(what === 'fifo' ? /run\.json: not a regular file \(a FIFO\)/ : /run\.json: not a regular file \(a character device\)/);
    }
  });

  it('runs:detail of each answers within a second with a clear error naming the file', async () => {
    for (const { runId, file, what } of hostile.filter((h) => h.file !== 'notes.json')) {
      const reply = await call('runs:detail', JSON.stringify({ runId }));
      expect(reply.ms, `${file} ${what}`).toBeLessThan(1000);
      const kind = what === 'fifo' ? 'a FIFO' : 'a character device';
      expectRefusal(reply, new RegExp(`^run ${runId}: ${file.replace('.', '\\.')}: not a regular file \\(${kind}\\)$`));
    }
    // notes.json is beside the record: the run still opens, and its notes are left out with the reason.
    for (const { runId } of hostile.filter((h) => h.file === 'notes.json')) {
      const reply = await call('runs:detail', JSON.stringify({ runId }));
      expect(reply.ms).toBeLessThan(1000);
      expect(reply.status, reply.body.slice(0, 300)).toBe(200);
    }
    await expectNormalAnswerWithinASecond();
  });
});

/** A graph of `count` Activation blocks; chained, each feeds the next. */
function manyBlocks(count: number, chained: boolean): GraphDoc {
  const graph = buildTemplate('undercomplete');
  const nodes = Array.from({ length: count }, (_, i) => ({ id: `a${i}`, kind: 'Activation' as const, position: { x: 0, y: 0 }, params: {} }));
  const edges = chained ? nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: `a${i}`, target: n.id })) : [];
  return { ...graph, nodes, edges } as GraphDoc;
}

describe('huge graphs', () => {
  it('train:start with 100,000 unconnected blocks or a 30,000-block chain: refused within a second, naming the limit', async () => {
    for (const [graph, count] of [
      [manyBlocks(100_000, false), '100,000'],
      [manyBlocks(60_000, false), '60,000'],
      [manyBlocks(30_000, true), '30,000'],
    ] as const) {
      const body = JSON.stringify({ graph, datasetId: 'builtin:fashion-mnist' });
      const budget = parseBudgetMs(body);
      const reply = await call('train:start', body);
      expect(reply.ms, count).toBeLessThan(budget);
      expectRefusal(reply, new RegExp(`^train:start: graph: the graph has ${count} blocks; a graph can have at most 2,000$`), 400);
    }
    await expectNormalAnswerWithinASecond();
  });
});

/** Fifty graphs:write requests of 15 MB each at once to the server at argv[1]; prints "sending", then their statuses and errors as JSON. */
const FLOOD = `
const http = require('node:http');
const [base, token] = process.argv.slice(1);
const url = new URL(base);
const body = Buffer.from(JSON.stringify({ path: 'big', text: 'x'.repeat(15 * 2 ** 20), overwrite: true }));
const agent = new http.Agent({ maxSockets: 50 });
const one = () => new Promise((resolve) => {
  const req = http.request({ host: url.hostname, port: url.port, path: '/api/graphs:write', method: 'POST', agent, headers: { authorization: 'token ' + token } }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => resolve({ status: res.statusCode, error: JSON.parse(Buffer.concat(chunks).toString()).error }));
  });
  req.on('error', (err) => resolve({ status: 0, error: err.message }));
  req.end(body);
});
const all = Promise.all(Array.from({ length: 50 }, one));
console.log('sending');
all.then((replies) => console.log(JSON.stringify(replies)));
`;

describe('request bounds', () => {
  it('model:decode with one code of 8 million zeros (16 MB): refused within a second by the array length', async () => {
    const body = `{"runId":"${newRunId()}","codes":[[${'0,'.repeat(8_000_000 - 1)}0]]}`;
    const budget = parseBudgetMs(body);
    const reply = await call('model:decode', body);
    expect(reply.ms).toBeLessThan(budget);
    expectRefusal(reply, /^model:decode: codes\.0: more than 65,536 items \(8,000,000\)$/, 400);
    await expectNormalAnswerWithinASecond();
  });

  it('fifty 15 MB graphs:write bodies at once: the ones past the budget get 503, and a normal request is answered within a second meanwhile', async () => {
    // Sent by another process, as an attacker would: this one only times the normal request.
    const sender = spawn(process.execPath, ['-e', FLOOD, base, token], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    sender.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const done = new Promise<void>((resolve) => sender.on('exit', () => resolve()));
    await expect.poll(() => out.includes('sending'), { timeout: 30_000 }).toBe(true);
    const normal = await call('graphs:list', '{}');
    await done;
    expect(normal.status).toBe(200);
    expect(normal.ms).toBeLessThan(1000);
    const replies = JSON.parse(out.slice(out.indexOf('\n') + 1)) as { status: number; error: string }[];
    expect(replies).toHaveLength(50);
    const busy = replies.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0]!.error).toBe('the server is busy reading other large requests (64 MB at once); try again in a moment');
    // The others were read, and refused on their merits (a graph text over 8 MB).
    for (const r of replies.filter((r) => r.status !== 503)) expect([r.status, r.error]).toEqual([400, 'graphs:write: text: the graph text is larger than 8 MB']);
    await expectNormalAnswerWithinASecond();
  }, 60_000);
});
