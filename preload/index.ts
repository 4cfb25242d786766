/** Exposes the contract as window.bottleneck and nothing more (contextIsolation on, sandbox on). */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { ApiEvent, BottleneckApi } from '../core/api';
import { EVENT_CHANNEL, isChannel, unwrap, type Envelope } from '../core/apiChannels';

export const bridge: BottleneckApi = {
  async invoke(channel, request) {
    if (!isChannel(channel)) throw new Error(`unknown channel "${String(channel)}"`);
    return unwrap((await ipcRenderer.invoke(channel, request)) as Envelope<never>);
  },
  on(listener) {
    const handler = (_event: IpcRendererEvent, payload: ApiEvent) => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  },
};

/** A dropped file's or folder's path (Electron removed File.path); only the desktop app has it. */
export const pathForFile = (file: File): string => webUtils.getPathForFile(file);

contextBridge.exposeInMainWorld('bottleneck', bridge);
contextBridge.exposeInMainWorld('bottleneckFiles', { pathForFile });
