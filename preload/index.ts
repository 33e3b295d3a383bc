// The preload: exposes exactly the contract to the renderer, one function per
// channel and a subscription per event, walked from the contract. Nothing raw
// (no ipcRenderer, no Node) crosses the bridge.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { channels, isEventName, type ClassboardApi } from './contract';

const api: Record<string, unknown> = {};
for (const channel of channels) {
  api[channel] = (req: unknown) => ipcRenderer.invoke(channel, req);
}
api.on = (event: string, listener: (payload: unknown) => void) => {
  if (!isEventName(event)) throw new Error(`unknown event: ${event}`);
  const wrapped = (_e: IpcRendererEvent, name: string, payload: unknown) => {
    if (name === event) listener(payload);
  };
  ipcRenderer.on('cb:event', wrapped);
  return () => ipcRenderer.removeListener('cb:event', wrapped);
};

contextBridge.exposeInMainWorld('classboard', api as ClassboardApi);
