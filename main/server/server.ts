import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { BottleneckApi, Channel } from '../../core/api';
import { errorEnvelope, isChannel, type Envelope } from '../../core/apiChannels';
import { ContractError } from '../../core/apiSchema';
import { excerpt, maxRequestBytes } from '../../core/limits';
import { allowedHosts, hostAllowed, isLoopback, newToken, originAllowed, requestToken, tokenCookie, tokensEqual } from './auth';
import { formatBytes } from '../../core/format';

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

/** The event socket only pushes; a client has nothing large to send on it. */
const MAX_SOCKET_MESSAGE = 64 * 1024;

export interface ServerOptions {
  api: BottleneckApi;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  host?: string;
  port?: number;
  /** The access token; a random one when absent. */
  token?: string;
  /** Where faults of the server itself are reported (a handler's stack); console.error by default. */
  log?: (message: string) => void;
  /** Milliseconds a client has to send its headers and its whole request (tests shorten them). */
  timeouts?: { headersMs: number; requestMs: number };
}

/**
 * A client that never finishes its headers (or its body) is cut off: a local app's requests arrive
 * in milliseconds, and the largest body (16 MB) in well under a minute on any link.
 */
export const SERVER_TIMEOUTS = { headersMs: 10_000, requestMs: 120_000 };

export interface RunningServer {
  server: Server;
  /** The address, without the token. */
  url: string;
  /** The address a user opens: with `?token=`, which the browser exchanges for a cookie. */
  openUrl: string;
  token: string;
  port: number;
  /** Bound to loopback: browsers (which send an Origin) need no token there. */
  loopback: boolean;
  close(): Promise<void>;
}

/** A reply with a status and a message, never a stack. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const NEEDS_TOKEN = 'this server needs its access token: open the address printed where it was started (it ends in ?token=…), or send "Authorization: token …"';

/**
 * Browser mode: the same contract as Electron's IPC, as `POST /api/<channel>` (one JSON argument,
 * an Envelope back) and a WebSocket at /api/events for pushed events. Host and Origin are checked
 * so that other sites cannot drive it (DNS rebinding, cross-site requests). Bound to anything but
 * loopback, every API call and the socket need the token; on loopback, those without an Origin
 * (other local processes: browsers always send one on POST and WebSocket) need it too. No request
 * may crash it: each fault becomes a 4xx or 5xx with a message.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? newToken();
  const log = options.log ?? ((m: string) => console.error(m));
  const loopback = isLoopback(host);
  let port = 0;
  let hosts = new Set<string>();

  /** Host and Origin, then the token where it is needed; throws HttpError. */
  const admit = (req: IncomingMessage, url: URL, api: boolean) => {
    if (!hostAllowed(req.headers.host, hosts)) throw new HttpError(403, `forbidden host ${JSON.stringify(excerpt(req.headers.host ?? '', 100))}`);
    const origin = req.headers.origin;
    if (origin !== undefined && !originAllowed(origin, hosts)) throw new HttpError(403, `forbidden origin ${JSON.stringify(excerpt(origin, 100))}`);
    if (!api || (loopback && origin !== undefined)) return;
    const given = requestToken(req.headers, url, port);
    if (given === null || !tokensEqual(given, token)) throw new HttpError(401, given === null ? NEEDS_TOKEN : 'wrong access token');
  };

  const bodies = new BodyBudget(MAX_BODY_BYTES_IN_FLIGHT);
  const timeouts = options.timeouts ?? SERVER_TIMEOUTS;
  const server = createServer({
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    // How often the timeouts are checked (Node's default, 30 s, lets a slow client stay that much longer).
    connectionsCheckingInterval: Math.min(1_000, timeouts.headersMs),
  }, (req, res) => {
    res.on('error', () => {}); // a client gone mid-reply is not the server's fault
    req.on('error', () => {});
    const url = URL.parse(req.url ?? '/', 'http://localhost');
    const api = url?.pathname.startsWith('/api/') ?? false;
    const fail = (err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) log(`bottleneck server: ${req.method} ${excerpt(req.url ?? '', 200)}: ${(err as Error)?.stack ?? String(err)}`);
      const message = err instanceof HttpError ? err.message : `internal error: ${(err as Error)?.message ?? String(err)}`;
      if (res.headersSent) return void res.destroy();
      if (api) send(res, status, 'application/json', JSON.stringify({ ok: false, error: message }));
      else send(res, status, 'text/plain; charset=utf-8', message);
    };
    try {
      if (!url) throw new HttpError(400, 'malformed request address');
      admit(req, url, api);
      if (api) return void handleApi(options.api, url.pathname.slice(5), req, res, bodies).catch(fail);
      if (url.searchParams.has('token')) return exchangeToken(url, res);
      serveStatic(options.staticDir, url.pathname, res).catch(fail);
    } catch (err) {
      fail(err);
    }
  });

  /** `?token=` on a page: checked, set as a cookie, and taken out of the address bar and history. */
  const exchangeToken = (url: URL, res: ServerResponse) => {
    if (!tokensEqual(url.searchParams.get('token') ?? '', token)) throw new HttpError(401, 'wrong access token');
    url.searchParams.delete('token');
    res.writeHead(302, { location: `${url.pathname}${url.search}`, 'set-cookie': tokenCookie(port, token), 'cache-control': 'no-store' });
    res.end();
  };

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // Node's parser refused the request (a bad header, too many headers): answer if the socket still can.
    // ERR_HTTP_REQUEST_TIMEOUT: headers or body not in within the server's timeouts.
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    if (socket.writable) socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    else socket.destroy();
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_SOCKET_MESSAGE });
  sockets.on('error', () => {});
  server.on('upgrade', (req, socket: Duplex, head) => {
    socket.on('error', () => socket.destroy());
    try {
      const url = URL.parse(req.url ?? '/', 'http://localhost');
      if (!url) throw new HttpError(400, 'malformed request address');
      if (url.pathname !== '/api/events') throw new HttpError(404, 'no such socket: use /api/events');
      admit(req, url, true);
      sockets.handleUpgrade(req, socket, head, (ws) => attach(options.api, ws));
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      const body = err instanceof Error ? err.message : String(err);
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  server.on('error', (err) => log(`bottleneck server: ${err.message}`));
  port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(host, port);
  const shown = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shown}:${port}`;
  return {
    server,
    url,
    openUrl: `${url}/?token=${token}`,
    token,
    port,
    loopback,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function attach(api: BottleneckApi, ws: WebSocket) {
  const unsubscribe = api.on((event) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
  });
  // A malformed or oversize frame: drop this client, never the server.
  ws.on('error', () => ws.terminate());
  ws.on('close', unsubscribe);
}

/** The status of a refused call: a malformed request is 400, a request the backend cannot act on 422, a fault of ours 500. */
function errorStatus(err: unknown): number {
  if (err instanceof ContractError) return 400;
  if (err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError) return 500;
  return 422;
}

async function handleApi(api: BottleneckApi, name: string, req: IncomingMessage, res: ServerResponse, bodies: BodyBudget) {
  const reply = (status: number, body: Envelope<unknown>) => send(res, status, 'application/json', JSON.stringify(body));
  if (req.method !== 'POST') return reply(405, { ok: false, error: 'use POST' });
  if (!isChannel(name)) return reply(404, { ok: false, error: `unknown channel ${JSON.stringify(excerpt(name))}` });
  const body = await readBody(req, maxRequestBytes(name), bodies);
  // The body's bytes count against the budget until the request is answered (its parsed payload is held as long).
  try {
    let payload: unknown;
    try {
      payload = JSON.parse(body.text || '{}');
    } catch (err) {
      return reply(400, { ok: false, error: `${name}: the request is not valid JSON (${excerpt((err as Error).message, 120)})` });
    }
    try {
      const result = await api.invoke(name as Channel, payload as never);
      reply(200, { ok: true, result });
    } catch (err) {
      reply(errorStatus(err), errorEnvelope(err));
    }
  } finally {
    bodies.release(body.held);
  }
}

const tooLarge = (limit: number) => new HttpError(413, `the request is larger than ${formatBytes(limit)}, the most this server reads`);

/**
 * The body bytes all requests may hold at once. Fifty 15 MB bodies read together once held 750 MB
 * and kept a small request waiting 9 s; past this, a large body is answered 503 at once. Two
 * bodies of the largest size (a 32 MB image for the Lab) fit, or four 16 MB graphs.
 */
export const MAX_BODY_BYTES_IN_FLIGHT = 64 * 2 ** 20;
/** A body this small is never refused for the budget: a normal request gets through however busy the server is. */
const SMALL_BODY_BYTES = 64 * 1024;

/** Counts the body bytes held by requests being read or answered. */
class BodyBudget {
  private held = 0;
  constructor(readonly limit: number) {}

  /** Takes `bytes` for a body already holding `had`; false when that would pass the limit (a small body always gets them). */
  take(bytes: number, had: number): boolean {
    if (had + bytes > SMALL_BODY_BYTES && this.held + bytes > this.limit) return false;
    this.held += bytes;
    return true;
  }

  release(bytes: number): void {
    this.held -= bytes;
  }
}

const busy = () => new HttpError(503, `the server is busy reading other large requests (${formatBytes(MAX_BODY_BYTES_IN_FLIGHT)} at once); try again in a moment`);

/**
 * The body as text, at most `limit` bytes (the channel's: see maxRequestBytes), and the bytes it holds of the budget (the caller
 * releases them when the request is answered). A larger one, or one for which the budget has no
 * room, is read to its end without being kept and then answered 413 or 503, so the client gets the
 * reply instead of a reset connection; one that goes on far past the limit is cut off.
 */
function readBody(req: IncomingMessage, limit: number, budget: BodyBudget): Promise<{ text: string; held: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let held = 0;
    let refused = false;
    const drop = () => {
      budget.release(held);
      held = 0;
      chunks.length = 0;
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 4 * limit) return void req.destroy();
      if (refused || size > limit) return drop();
      if (!budget.take(chunk.length, held)) {
        refused = true;
        return drop();
      }
      held += chunk.length;
      chunks.push(chunk);
    });
    let ended = false;
    // Closed before its end (the client went away, or cut off above): nothing is kept.
    req.on('close', () => {
      if (!ended) drop();
    });
    req.on('end', () => {
      ended = true;
      if (size > limit) return reject(tooLarge(limit));
      if (refused) return reject(busy());
      resolve({ text: Buffer.concat(chunks).toString('utf8'), held });
    });
    // A client that goes away mid-body: nothing to answer, and not the server's fault.
    req.on('error', () => {
      drop();
      reject(new HttpError(400, 'the request was cut off'));
    });
  });
}

function send(res: ServerResponse, status: number, type: string, body: string) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

async function fileStat(file: string): Promise<Stats | null> {
  try {
    return await stat(file);
  } catch {
    return null;
  }
}

async function serveStatic(root: string, pathname: string, res: ServerResponse) {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    throw new HttpError(400, 'malformed request address (bad percent-encoding)');
  }
  if (decoded.includes('\0')) throw new HttpError(400, 'malformed request address');
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  let file = join(root, relative);
  if (!file.startsWith(root + sep) && file !== root) throw new HttpError(403, 'forbidden');
  let info = await fileStat(file);
  if (!info?.isFile()) {
    file = join(root, 'index.html');
    info = await fileStat(file);
  }
  if (!info?.isFile()) throw new HttpError(500, `the renderer is not built (${root}): run "npm run build"`);
  res.writeHead(200, {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'x-content-type-options': 'nosniff',
    'cache-control': file.endsWith('index.html') ? 'no-store' : 'max-age=3600',
  });
  // pipeline closes the file when the client goes away mid-download.
  pipeline(createReadStream(file), res, () => {});
}
