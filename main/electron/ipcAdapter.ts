import type { ApiEvent, BottleneckApi, Channel } from '../../core/api';
import { CHANNELS, errorEnvelope, EVENT_CHANNEL, type Envelope } from '../../core/apiChannels';

/** The slice of Electron's ipcMain this adapter uses, so tests can drive it without Electron. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: { senderFrame?: { url: string } | null }, payload: unknown) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/**
 * Binds each contract channel to its own IPC handler (never one generic channel). Payloads are
 * validated by the backend's invoke; senders from anything but the app's own pages are refused.
 * Returns the unbind function.
 */
export function bindIpc(
  ipc: IpcMainLike,
  api: BottleneckApi,
  send: (channel: string, event: ApiEvent) => void,
  isTrustedSender: (url: string) => boolean,
): () => void {
  for (const channel of CHANNELS) {
    ipc.handle(channel, async (event, payload): Promise<Envelope<unknown>> => {
      const url = event.senderFrame?.url ?? '';
      if (!isTrustedSender(url)) return { ok: false, error: `${channel}: refused a request from ${url || 'an unknown frame'}` };
      try {
        return { ok: true, result: await api.invoke(channel as Channel, payload as never) };
      } catch (err) {
        return errorEnvelope(err);
      }
    });
  }
  const unsubscribe = api.on((event) => send(EVENT_CHANNEL, event));
  return () => {
    unsubscribe();
    for (const channel of CHANNELS) ipc.removeHandler(channel);
  };
}
