// The browser's API client over HTTP when the hub goes away and comes back: a call
// that cannot reach it (refused, or a proxy's 502 page while the hub restarts) fails
// as "unreachable" in one sentence, not the browser's "Failed to fetch" or "HTTP 502";
// the client then probes until the hub answers and tells the views it is back.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { call, createHttpApi, hubComebacks, hubReachable, isUnreachable, onHubLink } from '../../renderer/api/client';

type Mode = 'hub' | 'bad-gateway';

async function listen(port = 0): Promise<{ port: number; mode: { now: Mode }; close(): Promise<void> }> {
  const mode = { now: 'hub' as Mode };
  const server = http.createServer((req, res) => {
    req.resume();
    if (mode.now === 'bad-gateway') {
      res.writeHead(502, { 'content-type': 'text/html' });
      return res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, value: { plans: [] } }));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    mode,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let closing: (() => Promise<void>) | null = null;
afterEach(async () => {
  await closing?.();
  closing = null;
});

describe('the hub link', () => {
  it('fails a call the hub cannot answer as unreachable, and says when the hub is back', async () => {
    let hub = await listen();
    closing = hub.close;
    const api = createHttpApi(`http://127.0.0.1:${hub.port}`);
    expect((await api['plans:list']({})).ok).toBe(true);
    expect(hubReachable()).toBe(true);
    const changes: boolean[] = [];
    const off = onHubLink(() => changes.push(hubReachable()));

    // Stopped: the connection is refused.
    await hub.close();
    const refused = await call(api['plans:list']({})).catch((e: unknown) => e);
    expect(isUnreachable(refused)).toBe(true);
    expect((refused as Error).message).not.toMatch(/fetch/i);
    expect(hubReachable()).toBe(false);

    // Restarting behind a proxy: its error page is the same thing, not "HTTP 502".
    hub = await listen(hub.port);
    closing = hub.close;
    hub.mode.now = 'bad-gateway';
    const gateway = await call(api['plans:list']({})).catch((e: unknown) => e);
    expect(isUnreachable(gateway)).toBe(true);
    expect((gateway as Error).message).not.toContain('502');

    // Back: the probe finds it without another call from a view.
    const before = hubComebacks();
    hub.mode.now = 'hub';
    await expect.poll(hubReachable, { timeout: 10_000 }).toBe(true);
    expect(hubComebacks()).toBe(before + 1);
    expect(changes).toEqual([false, true]);
    off();
  });
});
