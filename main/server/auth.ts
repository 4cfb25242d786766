/**
 * Who may use browser mode (Jupyter's model): a random token made at start (or given), printed in the
 * URL and exchanged for an HttpOnly SameSite=Strict cookie. The pure parts of the server's checks.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';

export function newToken(): string {
  return randomBytes(24).toString('hex');
}

/** Compares in constant time: digests first, so neither length nor content leaks through timing. */
export function tokensEqual(given: string, token: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(token));
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** A host as it appears in a Host header: IPv6 addresses in brackets, without a zone. */
function hostPart(address: string): string {
  const bare = address.replace(/%.*$/, '');
  return bare.includes(':') ? `[${bare}]` : bare;
}

export interface MachineNames {
  hostname: string;
  addresses: string[];
}

export function machineNames(): MachineNames {
  const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
  return { hostname: hostname(), addresses };
}

/**
 * The Host headers the server answers, each "name:port" in lower case. Bound to all interfaces, the
 * machine's own names and addresses; bound to one address, that address (and, for loopback, both
 * loopback names). Anything else is a DNS-rebinding page or a misdirected request.
 */
export function allowedHosts(bindHost: string, port: number, machine: MachineNames = machineNames()): Set<string> {
  let names: string[];
  if (WILDCARDS.has(bindHost)) names = ['localhost', machine.hostname, ...machine.addresses];
  else if (isLoopback(bindHost)) names = [bindHost, 'localhost', '127.0.0.1', '::1'];
  else names = [bindHost];
  return new Set(names.filter(Boolean).map((n) => `${hostPart(n).toLowerCase()}:${port}`));
}

/** A Host header in the form allowedHosts lists ("name:port"; browsers leave out port 80). */
function normalHost(host: string): string {
  const lower = host.toLowerCase();
  return /:\d+$/.test(lower) && !lower.endsWith(']') ? lower : `${lower}:80`;
}

export function hostAllowed(host: string | undefined, hosts: Set<string>): boolean {
  return host !== undefined && hosts.has(normalHost(host));
}

/** An Origin header is trusted when it is exactly http://<an allowed host>: never a prefix or a pattern. */
export function originAllowed(origin: string, hosts: Set<string>): boolean {
  const url = URL.parse(origin);
  if (!url || url.protocol !== 'http:' || origin !== url.origin) return false;
  return hosts.has(`${url.hostname.toLowerCase()}:${url.port || 80}`);
}

export function cookieName(port: number): string {
  // Cookies are shared across ports on a host; the port in the name keeps two servers apart.
  return `bottleneck-token-${port}`;
}

export function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** The token a request carries: its cookie, an `Authorization: token …` (or Bearer) header, or `?token=`. */
export function requestToken(headers: { cookie?: string; authorization?: string }, url: URL, port: number): string | null {
  const auth = /^(?:token|bearer)\s+(\S+)$/i.exec(headers.authorization ?? '');
  return cookieValue(headers.cookie, cookieName(port)) ?? auth?.[1] ?? url.searchParams.get('token');
}
