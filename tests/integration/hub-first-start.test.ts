// A school hub set up for the first time while the platform cannot be reached (the
// school's link down at 7 am, the platform in maintenance): the built CLI's hub, a
// real process, against a real upstream on 127.0.0.1 that is first not listening,
// then answers 503, then serves the feed on the same port. Needs `electron-vite
// build` first (run under the build lock).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { cliIn, hubCli } from '../fixtures/cli';
import { writeBlobFeed } from '../fixtures/feeds';
import { servePlatform } from '../fixtures/platform';
import { freePort } from '../fixtures/ports';

let tmp: string;
let www: string;
const key = generateSigningKey('smartedu-2026');
const keyArg = ['--key', `${key.keyId}=${key.publicKey}`];

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const api = async (url: string, channel: string) =>
  fetch(`${url}api/${channel}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-first-start-'));
  www = path.join(tmp, 'www');
  await writeBlobFeed(path.join(www, 'basic'), { id: 'cn.smartedu.basic', title: '国家中小学智慧教育平台', revision: 3, key, blobs: [Buffer.from('第一课')] });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('a hub started for the first time while the platform cannot be reached', () => {
  it('serves the LAN, says so in its log and status, and takes the catalog once the platform answers, without a restart', async () => {
    const port = await freePort(); // nobody listens there yet: the school's link is down
    const upstream = `http://127.0.0.1:${port}/basic/`;
    const data = path.join(tmp, 'hub');
    const classroom = path.join(tmp, 'classroom');
    const hub = await hubCli(data, '--upstream', upstream, ...keyArg, '--upstream-retry', '300');
    let server: Awaited<ReturnType<typeof servePlatform>> | null = null;
    let stopped: number | null;
    try {
      // Before: exit 1 ("无法连接资源平台"), and a service manager restarting it in a loop.
      expect(hub.started, hub.stderr()).toBe(true);
      // stderr is its own pipe: its lines may come in after the address on stdout.
      await until('the first failure logged', () => /next try in 0\.3 s/.test(hub.stderr()));
      expect(hub.stderr()).toMatch(/无法连接上游：无法连接 127\.0\.0\.1:\d+（资源平台或学校中心服务）\/ cannot reach http:\/\/127\.0\.0\.1:\d+/);
      expect(hub.stderr()).toMatch(/中心服务照常为局域网服务，但还没有上游的目录，教室暂时无法订阅；0\.3 秒后（.+（北京时间））再试 \/ .*next try in 0\.3 s/);

      // The LAN side answers: the board's API, and a classroom asking for the feed is told to come back.
      expect((await api(hub.url, 'library:status')).status).toBe(200);
      const early = await fetch(`${hub.url}feed/cn.smartedu.basic/feed.json`);
      expect(early.status).toBe(503);
      expect(Number(early.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await early.text()).toMatch(/中心服务还没有取得上游资源库的目录（无法连接上游）.*再试，请稍后再订阅/);
      const add = await cliIn(classroom, 'feeds', 'add', `${hub.url}feed/cn.smartedu.basic/`, ...keyArg);
      expect(add.code).toBe(1);
      // With the hub's own words, not a bare status; Chinese first, as every error the admin reads.
      expect(add.stderr).toMatch(/暂时无法提供服务（HTTP 503，feed\.json）：中心服务还没有取得上游资源库的目录（无法连接上游）.* \/ .*feed\.json answered HTTP 503: the hub holds no catalog/);

      // `status` from a shell and the sync page say the upstream is unreachable, and when it is tried again.
      const shell = await cliIn(data, 'status');
      expect(shell.stdout).toMatch(new RegExp(`目录没有更新：上游资源库 / upstream feed（${upstream.replace(/[./]/g, '\\$&')}）— 无法连接 127\\.0\\.0\\.1:\\d+（资源平台或学校中心服务）.*中心服务还没有此资源库的目录，.+再试`));
      const page = (await (await api(hub.url, 'sync:status')).json()) as { value: { last: { feeds: { id: string; outcome: string; error?: string }[] } } };
      expect(page.value.last.feeds).toEqual([expect.objectContaining({ id: upstream, outcome: 'failed', error: expect.stringMatching(/cannot reach/) })]);

      // The platform comes back in maintenance (503): still only down, still retried, backing off.
      server = await servePlatform(www, { port, mode: 'maintenance' });
      await until('a retry that meets the 503', () => /answered HTTP 503\n中心服务照常为局域网服务.*next try in [\d.]+ s/.test(hub.stderr()));
      expect(hub.alive()).toBe(true);

      // Then it publishes: the hub takes the catalog on its own.
      server.state.mode = 'up';
      await until('the catalog taken', () => /已取得上游资源库 国家中小学智慧教育平台（cn\.smartedu\.basic）第 3 版的目录，教室现在可订阅/.test(hub.stderr()));
      expect(hub.alive()).toBe(true);
      expect((await fetch(`${hub.url}feed/cn.smartedu.basic/feed.json`)).status).toBe(200);
      const subscribed = await cliIn(classroom, 'feeds', 'add', `${hub.url}feed/cn.smartedu.basic/`, ...keyArg);
      expect(subscribed.code, subscribed.stderr).toBe(0);
      expect(subscribed.stdout).toMatch(/已订阅 国家中小学智慧教育平台（cn\.smartedu\.basic）第 3 版/);
      expect((await cliIn(data, 'status')).stdout).not.toMatch(/目录没有更新/);
      // Kept under the feed's id, in place of the failure noted under the upstream's address.
      const after = (await (await api(hub.url, 'sync:status')).json()) as { value: { last: { feeds: { id: string; outcome: string }[] } } };
      expect(after.value.last.feeds).toEqual([expect.objectContaining({ id: 'cn.smartedu.basic', outcome: 'applied' })]);

      // No more tries once it has it: the platform gone again is not asked by day.
      server.state.mode = 'maintenance';
      const tries = () => hub.stderr().match(/无法连接上游/g)?.length ?? 0;
      const before = tries();
      await new Promise((r) => setTimeout(r, 1500));
      expect(tries()).toBe(before);
    } finally {
      stopped = await hub.stop();
      await server?.stop();
    }
    expect(stopped).toBe(0); // SIGTERM: the retry timer cleared, the hub closed
  });

  it('a wrong key or a refusing platform on a first start is still refused, with the reason', async () => {
    const port = await freePort();
    const server = await servePlatform(www, { port, mode: 'maintenance' });
    try {
      server.state.mode = 'up';
      const other = generateSigningKey('smartedu-2026');
      const wrong = await hubCli(path.join(tmp, 'wrong-key'), '--upstream', `http://127.0.0.1:${port}/basic/`, '--key', `${other.keyId}=${other.publicKey}`);
      if (wrong.started) await wrong.stop();
      expect(wrong.started, wrong.stderr()).toBe(false);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr()).toMatch(/签名无效/);

      server.state.mode = 'forbidden'; // a 403: the address or the school's access, for the admin to fix
      const forbidden = await hubCli(path.join(tmp, 'forbidden'), '--upstream', `http://127.0.0.1:${port}/basic/`, ...keyArg);
      if (forbidden.started) await forbidden.stop();
      expect(forbidden.started, forbidden.stderr()).toBe(false);
      expect(forbidden.stderr()).toMatch(/answered HTTP 403/);
    } finally {
      await server.stop();
    }
  });

  it("while it takes its upstream's first catalog (minutes over a thin link), a classroom is told to come back, not that the address is wrong", async () => {
    // The platform over a thin link: its catalog's shards take a while.
    const platform = http.createServer((req, res) => {
      const file = path.join(www, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      const send = () => (fs.existsSync(file) ? res.writeHead(200).end(fs.readFileSync(file)) : res.writeHead(404).end());
      if (file.includes(`${path.sep}shards${path.sep}`)) setTimeout(send, 3000);
      else send();
    });
    await new Promise<void>((r) => platform.listen(0, '127.0.0.1', r));
    const port = await freePort();
    const starting = hubCli(path.join(tmp, 'thin'), '--upstream', `http://127.0.0.1:${(platform.address() as AddressInfo).port}/basic/`, ...keyArg, '--port', String(port));
    try {
      // The hub is bound before it takes the catalog: a classroom asking meanwhile.
      let early: Response | null = null;
      await until('the hub answering', async () => {
        early = await fetch(`http://127.0.0.1:${port}/feed/cn.smartedu.basic/feed.json`).catch(() => null);
        return early !== null;
      });
      // Before: 404 (the feed not subscribed yet), which a classroom's feeds add reads as a mistyped address.
      expect(early!.status).toBe(503);
      expect(early!.headers.get('retry-after')).toBe('30');
      expect(await early!.text()).toMatch(/中心服务正在从上游取得资源库的目录，请过几分钟再订阅/);
      const hub = await starting;
      expect(hub.started, hub.stderr()).toBe(true);
      expect((await fetch(`${hub.url}feed/cn.smartedu.basic/feed.json`)).status).toBe(200);
      expect(await hub.stop()).toBe(0);
    } finally {
      platform.closeAllConnections();
      await new Promise((r) => platform.close(r));
    }
  });
});
