// What the preload exposes, built by walking the contract: one function per
// channel and a subscription per declared event; nothing else. Kept free of
// 'electron' so it is tested under Node.
import { channels, isEventName, type ClassboardApi } from './contract';

export interface BridgeTransport {
  invoke(channel: string, req: unknown): Promise<unknown>;
  /** Subscribes to every pushed event; returns an unsubscribe function. */
  listen(listener: (name: string, payload: unknown) => void): () => void;
}

export function buildBridge(transport: BridgeTransport): ClassboardApi {
  const api: Record<string, unknown> = {};
  for (const channel of channels) {
    api[channel] = (req: unknown) => transport.invoke(channel, req);
  }
  api.on = (event: string, listener: (payload: unknown) => void) => {
    if (!isEventName(event)) throw new Error(`unknown event: ${event}`);
    return transport.listen((name, payload) => {
      if (name === event) listener(payload);
    });
  };
  return Object.freeze(api) as ClassboardApi;
}
