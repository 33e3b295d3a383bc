// The preload: exposes exactly the contract to the renderer (see bridge.ts).
// Nothing raw (no ipcRenderer, no Node) crosses the bridge.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildBridge } from './bridge';

contextBridge.exposeInMainWorld(
  'classboard',
  buildBridge({
    invoke: (channel, req) => ipcRenderer.invoke(channel, req),
    listen(listener) {
      const wrapped = (_e: IpcRendererEvent, name: string, payload: unknown) => listener(name, payload);
      ipcRenderer.on('cb:event', wrapped);
      return () => ipcRenderer.removeListener('cb:event', wrapped);
    },
  }),
);
