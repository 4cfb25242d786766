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

/** Browser mode: requests as POST /api/<channel>, events over one WebSocket that reconnects. */
function httpApi(): BottleneckApi {
  const listeners = new Set<(event: ApiEvent) => void>();
  let socket: WebSocket | null = null;
  const connect = () => {
    const url = new URL('api/events', window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(url);
    socket.onmessage = (message) => {
      const event = JSON.parse(String(message.data)) as ApiEvent;
      for (const listener of listeners) listener(event);
    };
    socket.onclose = () => {
      socket = null;
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

let api: BottleneckApi | null = null;

/** The renderer never knows which transport it has. */
export function getApi(): BottleneckApi {
  api ??= window.bottleneck ?? httpApi();
  return api;
}
