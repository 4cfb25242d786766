import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../core/apiChannels';
import { bindIpc, type IpcMainLike } from './ipcAdapter';
import { allowPermission, CONTENT_SECURITY_POLICY, isAllowedExternal, isAppUrl, rendererFile } from './security';

const root = join(import.meta.dirname, '..', '..');

describe('desktop shell security decisions', () => {
  it('an app page is exactly app://bottleneck, never a name that starts the same', () => {
    for (const url of ['app://bottleneck/index.html', 'app://bottleneck/', 'app://bottleneck/runs?x=1#y']) expect(isAppUrl(url), url).toBe(true);
    for (const url of ['app://bottleneck.x/index.html', 'app://bottleneck.evil.example/', 'app://bottleneck:8080/', 'app://user@bottleneck/', 'app://bottleneckx/', 'https://bottleneck/', 'file:///app/bottleneck', 'app:bottleneck', 'javascript:alert(1)', '', 'not a url']) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });

  it('IPC from a frame that is not the app is refused before the backend sees it', async () => {
    const handlers = new Map<string, (event: { senderFrame?: { url: string } | null }, payload: unknown) => Promise<unknown>>();
    const ipc: IpcMainLike = { handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c) };
    const seen: string[] = [];
    bindIpc(ipc, { invoke: async (c) => (seen.push(c), [] as never), on: () => () => {} }, () => {}, isAppUrl);
    expect(await handlers.get('runs:list')!({ senderFrame: { url: 'app://bottleneck.x/index.html' } }, {})).toEqual({ ok: false, error: 'runs:list: refused a request from app://bottleneck.x/index.html' });
    expect(await handlers.get('runs:list')!({ senderFrame: null }, {})).toMatchObject({ ok: false });
    expect(seen).toEqual([]);
    expect(await handlers.get('runs:list')!({ senderFrame: { url: 'app://bottleneck/index.html' } }, {})).toEqual({ ok: true, result: [] });
    expect(seen).toEqual(['runs:list']);
    expect(handlers.size).toBe(CHANNELS.length);
  });

  it('opens only documentation sites over https in the system browser', () => {
    for (const url of ['https://github.com/x/y', 'https://js.tensorflow.org/api/latest/', 'https://pytorch.org/docs/', 'https://onnx.ai/']) expect(isAllowedExternal(url), url).toBe(true);
    for (const url of ['http://github.com/', 'https://github.com.evil.example/', 'https://evil.example/github.com', 'https://user:pw@github.com/', 'https://github.com:8443/', 'file:///etc/passwd', 'smb://host/share', 'javascript:alert(1)', 'ms-settings:']) {
      expect(isAllowedExternal(url), url).toBe(false);
    }
  });

  it('refuses every permission the app does not use, from any page', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'midi', 'openExternal', 'fullscreen', 'hid', 'serial', 'usb']) {
      expect(allowPermission(permission, 'app://bottleneck/index.html'), permission).toBe(false);
      expect(allowPermission(permission, 'https://evil.example/'), permission).toBe(false);
    }
  });

  it('serves only files inside the renderer folder, and a malformed address is a 400, not a fault', () => {
    expect(rendererFile('/app/renderer', 'app://bottleneck/')).toEqual({ file: '/app/renderer/index.html' });
    expect(rendererFile('/app/renderer', 'app://bottleneck/assets/a%20b.js')).toEqual({ file: '/app/renderer/assets/a b.js' });
    expect(rendererFile('/app/renderer', 'app://bottleneck/%E0%A4%A')).toEqual({ status: 400 });
    expect(rendererFile('/app/renderer', 'app://bottleneck/a%00.js')).toEqual({ status: 400 });
    expect(rendererFile('/app/renderer', 'app://bottleneck/..%2f..%2fetc%2fpasswd')).toEqual({ status: 403 });
    expect(rendererFile('/app/renderer', 'app://bottleneck.x/index.html')).toEqual({ status: 403 });
  });

  it('the page carries the same policy in browser mode (its meta tag) as in the desktop app (a header)', () => {
    const html = readFileSync(join(root, 'renderer', 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)![1]!;
    const directives = (policy: string) => policy.split(';').map((d) => d.trim()).filter((d) => d && !d.startsWith('frame-ancestors'));
    expect(directives(meta)).toEqual(directives(CONTENT_SECURITY_POLICY));
    // No inline scripts or styles sheets: only style attributes (echarts' tooltips) stay inline.
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self';/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/style-src 'self';/);
  });

  it('sets Electron\'s fuses in the build: no running as Node, only the app\'s asar, encrypted cookies', () => {
    const yml = readFileSync(join(root, 'electron-builder.yml'), 'utf8');
    const fuses = /^electronFuses:\n((?: {2}.+\n)+)/m.exec(yml)?.[1] ?? '';
    const set = Object.fromEntries(fuses.trim().split('\n').map((l) => l.trim().split(/:\s*/) as [string, string]));
    expect(set).toEqual({
      runAsNode: 'false',
      enableCookieEncryption: 'true',
      enableNodeOptionsEnvironmentVariable: 'false',
      enableNodeCliInspectArguments: 'false',
      enableEmbeddedAsarIntegrityValidation: 'true',
      onlyLoadAppFromAsar: 'true',
      grantFileProtocolExtraPrivileges: 'false',
    });
  });
});
