import type { ApiEvent, BottleneckApi } from '../../../core/api';
import { unwrap, type Envelope } from '../../../core/apiChannels';

declare global {
  interface Window {
    /** Present in Electron (set by the preload); absent in browser mode. */
    bottleneck?: BottleneckApi;
    /** Desktop app only: the path of a file or folder dropped on the window. */
    bottleneckFiles?: { pathForFile(file: File): string };
  }
}

/**
 * Browser mode: requests as POST /api/<channel>, events over one WebSocket that reconnects. While it
 * is down events are missed, so listeners hear `connection` events and can read again what changed.
 */
export function httpApi(): BottleneckApi {
  const listeners = new Set<(event: ApiEvent) => void>();
  let socket: WebSocket | null = null;
  let lost = false;
  const emit = (event: ApiEvent) => {
    for (const listener of listeners) listener(event);
  };
  const connect = () => {
    const url = new URL('api/events', window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(url);
    socket.onopen = () => {
      if (!lost) return;
      lost = false;
      emit({ type: 'connection', connected: true });
    };
    socket.onmessage = (message) => emit(JSON.parse(String(message.data)) as ApiEvent);
    socket.onclose = () => {
      socket = null;
      if (!lost) {
        lost = true;
        emit({ type: 'connection', connected: false });
      }
      setTimeout(connect, 1000);
    };
  };
  return {
    async invoke(channel, request) {
      const response = await fetch(`api/${channel}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      });
      return unwrap((await response.json()) as Envelope<never>);
    },
    on(listener) {
      listeners.add(listener);
      if (!socket) connect();
      return () => listeners.delete(listener);
    },
  };
}

/** The transport this window has: the preload's IPC binding in Electron, HTTP + WebSocket in a browser. */
export function platformApi(): BottleneckApi {
  return window.bottleneck ?? httpApi();
}
