import { describe, expect, it } from 'vitest';
import { allowedHosts, cookieValue, hostAllowed, isLoopback, newToken, originAllowed, requestToken, tokensEqual } from './auth';

const machine = { hostname: 'Lab-PC', addresses: ['127.0.0.1', '::1', '192.168.1.20', 'fe80::1%eth0'] };

describe('browser-mode access checks', () => {
  it('bound to all interfaces: the machine\'s names and addresses, never the bind address', () => {
    const hosts = allowedHosts('0.0.0.0', 7385, machine);
    for (const h of ['localhost:7385', 'lab-pc:7385', 'LAB-PC:7385', '192.168.1.20:7385', '[::1]:7385', '[fe80::1]:7385', '127.0.0.1:7385']) expect(hostAllowed(h, hosts), h).toBe(true);
    for (const h of ['0.0.0.0:7385', '192.168.1.20:7386', 'evil.example:7385', '192.168.1.20', undefined]) expect(hostAllowed(h, hosts), String(h)).toBe(false);
  });

  it('bound to loopback: both loopback names; bound to one address: that address', () => {
    expect([...allowedHosts('127.0.0.1', 80, machine)].sort()).toEqual(['127.0.0.1:80', '[::1]:80', 'localhost:80']);
    expect(hostAllowed('localhost', allowedHosts('127.0.0.1', 80, machine))).toBe(true);
    expect([...allowedHosts('192.168.1.20', 9000, machine)]).toEqual(['192.168.1.20:9000']);
    expect(isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('localhost') && !isLoopback('0.0.0.0') && !isLoopback('127.0.0.1.evil')).toBe(true);
  });

  it('compares origins exactly: scheme, host and port, never a prefix', () => {
    const hosts = allowedHosts('127.0.0.1', 7385, machine);
    expect(originAllowed('http://127.0.0.1:7385', hosts)).toBe(true);
    expect(originAllowed('http://localhost:7385', hosts)).toBe(true);
    for (const o of ['http://127.0.0.1:7385.evil.example', 'https://127.0.0.1:7385', 'http://127.0.0.1:7386', 'http://127.0.0.1:7385/', 'null', 'file://', 'http://evil.example']) {
      expect(originAllowed(o, hosts), o).toBe(false);
    }
  });

  it('tokens: random, compared whole, found in a cookie, a header or the address', () => {
    const token = newToken();
    expect(token).toMatch(/^[0-9a-f]{48}$/);
    expect(newToken()).not.toBe(token);
    expect(tokensEqual(token, token)).toBe(true);
    expect(tokensEqual(token.slice(0, -1), token)).toBe(false);
    expect(tokensEqual('', token)).toBe(false);
    expect(cookieValue('a=1; bottleneck-token-7385=abc; b=2', 'bottleneck-token-7385')).toBe('abc');
    expect(cookieValue('xbottleneck-token-7385=abc', 'bottleneck-token-7385')).toBeNull();
    const url = new URL('http://h/api/x?token=q');
    expect(requestToken({ cookie: 'bottleneck-token-1=c' }, url, 1)).toBe('c');
    expect(requestToken({ authorization: 'Bearer b' }, url, 1)).toBe('b');
    expect(requestToken({ authorization: 'token t' }, new URL('http://h/'), 1)).toBe('t');
    expect(requestToken({}, url, 1)).toBe('q');
    expect(requestToken({}, new URL('http://h/'), 1)).toBeNull();
  });
});
