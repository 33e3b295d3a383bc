// The knock that tells whether a silent server is back (waitForHosts). A school
// hub that lacks the file the run still needs pulls it from upstream first and
// answers only after its pullWaitMs (10 s): a knock at that file, waiting at most
// 5 s, went unanswered every time though the hub was up, and the classroom waited
// its whole 2 or 10 minutes, then said the hub never came back. A real node http
// server on 127.0.0.1 that holds blob answers for 8 s but answers anything else at once.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForHosts } from '../../main/sync/dead-hosts';

let server: http.Server;
let origin: string;
const asked: string[] = [];
const held = new Set<http.ServerResponse>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`);
    if (req.url?.includes('/blobs/')) {
      // A pull-through from upstream: a 503 only after 8 s.
      held.add(res);
      setTimeout(() => res.writeHead(503, { 'retry-after': '15' }).end(), 8000).unref();
      return;
    }
    // The hub's page (or a 404): at once.
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const res of held) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const sha = 'ab'.repeat(32);

describe('knocking at a silent server', () => {
  it('a hub that answers its root at once, even 404, is back at the first knock though it holds the file for 8 s (was: every 5 s knock timed out)', async () => {
    const host = new URL(origin).host;
    const started = performance.now();
    const back = await waitForHosts(new Map([[host, `${origin}/feed/cn.x/blobs/ab/${sha}`]]), Date.now() + 12_000, { going: () => true, knockMs: 5000 });
    expect([...back]).toEqual([host]);
    // Within one knock (5 s), not after the wait.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(asked.some((a) => a.includes('/blobs/'))).toBe(false);
  }, 20_000);

  it('a server that answers nothing (the port refused) is still down once the wait is spent', async () => {
    const gone = http.createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const port = (gone.address() as AddressInfo).port;
    await new Promise((r) => gone.close(r));
    const started = performance.now();
    const back = await waitForHosts(new Map([[`127.0.0.1:${port}`, `http://127.0.0.1:${port}/f/blobs/ab/${sha}`]]), Date.now() + 2500, { going: () => true, knockMs: 5000 });
    expect(back.size).toBe(0);
    expect(performance.now() - started).toBeGreaterThan(2000);
  }, 20_000);

  it('a server that takes the connection but answers nothing is still down', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as AddressInfo;
    try {
      const back = await waitForHosts(new Map([[`127.0.0.1:${port}`, `http://127.0.0.1:${port}/`]]), Date.now() + 1500, { going: () => true, knockMs: 5000 });
      expect(back.size).toBe(0);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  }, 20_000);
});
