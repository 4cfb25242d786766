import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const serveArgs = ['--import', 'tsx', join(root, 'main', 'server', 'serve.ts'), '--port', '0'];
const env = () => ({ ...process.env, BOTTLENECK_HOME: mkdtempSync(join(tmpdir(), 'serve-')), BOTTLENECK_BACKEND: 'cpu' });

/** Starts `serve` and resolves with what it printed once it names its address (and the lines after, briefly). */
function serve(args: string[]): Promise<{ lines: string[]; stop: () => void }> {
  const child = spawn(process.execPath, [...serveArgs, ...args], { cwd: root, env: env() });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('running at')) setTimeout(() => resolve({ lines: out.trim().split('\n'), stop: () => child.kill('SIGTERM') }), 300);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
}

describe('npm run serve', () => {
  it('prints an address with the token that a browser exchanges for its cookie', async () => {
    const { lines, stop } = await serve([]);
    try {
      const url = /running at (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48})/.exec(lines[0]!)?.[1];
      expect(url, lines[0]).toBeDefined();
      const reply = await fetch(url!, { redirect: 'manual' });
      expect(reply.status).toBe(302);
      expect(reply.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
      expect(lines).toHaveLength(1); // on loopback: nothing about the network
    } finally {
      stop();
    }
  });

  it('bound to the network: says what it exposes and how to reach it from another machine; a given token is used', async () => {
    const token = 'a-token-given-by-the-user-1234';
    const { lines, stop } = await serve(['--host', '0.0.0.0', '--token', token]);
    try {
      expect(lines[0]).toMatch(new RegExp(`running at http://127\\.0\\.0\\.1:\\d+/\\?token=${token} `));
      expect(lines[1]).toMatch(new RegExp(`^From another machine: http://${hostname()}:\\d+/\\?token=${token}$`));
      expect(lines[2]).toMatch(/^Served on the network \(--host 0\.0\.0\.0\): whoever has this token can browse folders on this machine/);
    } finally {
      stop();
    }
  });

  it('refuses a weak token in one line', () => {
    const r = spawnSync(process.execPath, [...serveArgs, '--token', 'short'], { cwd: root, env: env(), encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('bottleneck serve: --token must be 16 to 256 letters, digits, dots, dashes, tildes or underscores');
  });
});
