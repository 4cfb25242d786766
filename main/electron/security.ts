/**
 * The desktop shell's security decisions as plain functions (no electron import), so they are
 * tested here and main.ts only wires them to Electron's hooks. DESIGN.md: "Electron security".
 */
import { join, normalize, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'bottleneck';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * The page's policy. Styles: sheets and <style> elements only from the app; style attributes stay
 * allowed ('unsafe-inline' for style-src-attr alone) because echarts writes its tooltips as HTML
 * with style attributes (React and React Flow set styles through the CSSOM, which CSP does not
 * govern). The same policy is in renderer/index.html's meta tag (without frame-ancestors, which a
 * meta tag cannot carry); a test keeps the two equal.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Whether a URL is one of the app's own pages: exactly app://bottleneck, never a name that merely starts so. */
export function isAppUrl(url: string): boolean {
  const parsed = URL.parse(url);
  return parsed !== null && parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}

/** Documentation sites a link in the app may open in the system browser; nothing else leaves the app. */
export const EXTERNAL_HOSTS: readonly string[] = ['github.com', 'js.tensorflow.org', 'www.tensorflow.org', 'pytorch.org', 'onnx.ai'];

export function isAllowedExternal(url: string): boolean {
  const parsed = URL.parse(url);
  return parsed !== null && parsed.protocol === 'https:' && parsed.port === '' && parsed.username === '' && parsed.password === '' && EXTERNAL_HOSTS.includes(parsed.hostname);
}

/**
 * Permission requests and checks (camera, notifications, geolocation, clipboard, …). The app
 * uses none: its copy and paste of blocks stays in its own store, files arrive by drag and drop or
 * the backend's dialogs. So every one is refused, from any page.
 */
export function allowPermission(_permission: string, _requestingUrl: string): boolean {
  return false;
}

/** The file under `root` an app:// URL asks for, or null for a malformed or escaping path (answered 400/403). */
export function rendererFile(root: string, url: string): { file: string } | { status: 400 | 403 } {
  const parsed = URL.parse(url);
  if (!parsed || !isAppUrl(url)) return { status: 403 };
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname === '/' ? '/index.html' : parsed.pathname);
  } catch {
    return { status: 400 };
  }
  if (path.includes('\0')) return { status: 400 };
  const file = normalize(join(root, path));
  return file.startsWith(root + sep) ? { file } : { status: 403 };
}
