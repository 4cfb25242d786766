import type { Channel } from './api';
import { excerpt, MAX_ERROR_LENGTH } from './limits';

/** The one IPC channel pushed events (ApiEvent) travel on, from main to the preload. */
export const EVENT_CHANNEL = 'bottleneck:event';

/** Every contract channel, for adapters that must allow-list them (the preload, the IPC binding). */
export const CHANNELS = [
  'app:info',
  'train:start',
  'train:stop',
  'train:pause',
  'train:resume',
  'runs:list',
  'runs:detail',
  'runs:latent',
  'runs:samples',
  'runs:update',
  'runs:delete',
  'runs:restore',
  'runs:continue',
  'runs:annotate',
  'workspace:trash',
  'workspace:empty-trash',
  'graphs:list',
  'graphs:read',
  'graphs:write',
  'dialog:open-graph',
  'dialog:save-graph',
  'datasets:scan',
  'datasets:browse',
  'dialog:open-folder',
  'app:menu-state',
  'app:show-place',
  'model:info',
  'model:map',
  'model:cancel-map',
  'jobs:cancel',
  'model:decode',
  'model:point',
  'model:interpolate',
  'model:sample',
  'model:traverse',
  'model:score',
  'model:reconstruct',
  'model:prepare-image',
  'model:export',
  'app:set-backend-preference',
  'experiments:preview',
  'experiments:create',
  'experiments:list',
  'experiments:detail',
  'experiments:one-class',
  'experiments:stop',
] as const satisfies readonly Channel[];

// Fails to compile when a channel is added to the contract but not listed here.
type Missing = Exclude<Channel, (typeof CHANNELS)[number]>;
export const CHANNELS_COMPLETE: Missing extends never ? true : Missing = true;

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && (CHANNELS as readonly string[]).includes(name);
}

/** The envelope every adapter returns, so an error crosses any transport as a plain message. */
export type Envelope<T> = { ok: true; result: T } | { ok: false; error: string; code?: string };

/** An error from the other side of the contract; `code` lets the UI react (e.g. "exists" → ask to replace). */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export function errorEnvelope(err: unknown): { ok: false; error: string; code?: string } {
  const code = (err as { code?: unknown })?.code;
  // A last bound: whatever an error quotes of the input, it crosses as a few lines at most.
  const message = excerpt(err instanceof Error ? err.message : String(err), MAX_ERROR_LENGTH);
  return typeof code === 'string' ? { ok: false, error: message, code } : { ok: false, error: message };
}

export function unwrap<T>(envelope: Envelope<T>): T {
  if (!envelope.ok) throw new ApiError(envelope.error, envelope.code);
  return envelope.result;
}
