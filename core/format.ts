/** Numbers and names as the app shows them, the same in the desktop app, the browser and the CLI. */
import type { BackendAdapter } from './api';

/**
 * A duration, short enough for a table cell: 4.2s and 42s under a minute, then a clock, seconds
 * rounded down: 12:05, 1:02:03. `empty` stands for an unknown duration (null, negative, not finite).
 */
export function formatDuration(ms: number | null, empty = '–'): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return empty;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const total = Math.floor(ms / 1000);
  if (total < 60) return `${total}s`;
  const seconds = String(total % 60).padStart(2, '0');
  const minutes = Math.floor(total / 60) % 60;
  const hours = Math.floor(total / 3600);
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** A GPU in a few words, "nvidia ampere" (its driver's vendor and architecture), else its description. */
export function adapterLabel(adapter: BackendAdapter): string {
  return [adapter.vendor, adapter.architecture].filter(Boolean).join(' ') || adapter.description || 'unknown GPU';
}

/** "cpu", "cpu ×2" with its threads, "webgpu (nvidia ampere)" with its GPU. */
export function backendLabel(backend: { name: string; threads?: number; adapter?: BackendAdapter }): string {
  const threads = backend.threads && backend.threads > 1 ? ` ×${backend.threads}` : '';
  return `${backend.name}${threads}${backend.adapter ? ` (${adapterLabel(backend.adapter)})` : ''}`;
}

/** A size as people read it: "640 kB", "120 MB", "3.4 GB" (binary units). */
export function formatBytes(bytes: number): string {
  const GB = 1024 ** 3;
  if (bytes < 1024 ** 2) return `${Math.max(1, Math.round(bytes / 1024))} kB`;
  if (bytes < GB) return `${Math.round(bytes / 1024 ** 2)} MB`;
  return `${(bytes / GB).toFixed(bytes < 10 * GB ? 1 : 0)} GB`;
}
