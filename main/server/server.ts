import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { BottleneckApi, Channel } from '../../core/api';
import { errorEnvelope, isChannel, type Envelope } from '../../core/apiChannels';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

const MAX_BODY = 8 * 1024 * 1024;

export interface ServerOptions {
  api: BottleneckApi;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  host?: string;
  port?: number;
}

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/**
 * Browser mode: the same contract as Electron's IPC, as `POST /api/<channel>` (one JSON argument,
 * an Envelope back) and a WebSocket at /api/events for pushed events. Binds to loopback by default
 * and checks Host and Origin so that other sites cannot drive it (DNS rebinding, cross-site requests).
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  let allowedHosts = new Set<string>();
  const trusted = (req: IncomingMessage) => {
    if (!allowedHosts.has(req.headers.host ?? '')) return false;
    const origin = req.headers.origin;
    return origin === undefined || allowedHosts.has(origin.replace(/^https?:\/\//, ''));
  };

  const server = createServer((req, res) => {
    if (!trusted(req)) return send(res, 403, 'text/plain', 'forbidden host or origin');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/api/')) return void handleApi(options.api, url.pathname.slice(5), req, res);
    serveStatic(options.staticDir, url.pathname, res);
  });
  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!trusted(req) || new URL(req.url ?? '/', 'http://localhost').pathname !== '/api/events') {
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => attach(options.api, ws));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const names = [host, ...(host === '127.0.0.1' || host === 'localhost' ? ['127.0.0.1', 'localhost'] : [])];
  allowedHosts = new Set(names.map((h) => `${h}:${port}`));
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    server,
    url: `http://${shown}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => resolve());
      }),
  };
}

function attach(api: BottleneckApi, ws: WebSocket) {
  const unsubscribe = api.on((event) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
  });
  ws.on('close', unsubscribe);
}

async function handleApi(api: BottleneckApi, name: string, req: IncomingMessage, res: ServerResponse) {
  const reply = (status: number, body: Envelope<unknown>) => send(res, status, 'application/json', JSON.stringify(body));
  if (req.method !== 'POST') return reply(405, { ok: false, error: 'use POST' });
  if (!isChannel(name)) return reply(404, { ok: false, error: `unknown channel "${name}"` });
  let payload: unknown;
  try {
    payload = JSON.parse((await readBody(req)) || '{}');
  } catch (err) {
    return reply(400, { ok: false, error: `${name}: the request is not valid JSON (${(err as Error).message})` });
  }
  try {
    const result = await api.invoke(name as Channel, payload as never);
    reply(200, { ok: true, result });
  } catch (err) {
    reply(200, errorEnvelope(err));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('request too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

function serveStatic(root: string, pathname: string, res: ServerResponse) {
  const relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  let file = join(root, relative);
  if (!file.startsWith(root + sep) && file !== root) return send(res, 403, 'text/plain', 'forbidden');
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
  if (!existsSync(file)) return send(res, 500, 'text/plain', `the renderer is not built (${root}): run "npm run build"`);
  res.writeHead(200, {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'x-content-type-options': 'nosniff',
    'cache-control': file.endsWith('index.html') ? 'no-store' : 'max-age=3600',
  });
  createReadStream(file).pipe(res);
}
