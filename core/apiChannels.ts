import type { Channel } from './api';

/** Every contract channel, for adapters that must allow-list them (the preload, the IPC binding). */
export const CHANNELS = ['app:info', 'train:start', 'train:stop', 'runs:list'] as const satisfies readonly Channel[];

// Fails to compile when a channel is added to the contract but not listed here.
type Missing = Exclude<Channel, (typeof CHANNELS)[number]>;
export const CHANNELS_COMPLETE: Missing extends never ? true : Missing = true;

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && (CHANNELS as readonly string[]).includes(name);
}

/** The envelope every adapter returns, so an error crosses any transport as a plain message. */
export type Envelope<T> = { ok: true; result: T } | { ok: false; error: string };
