// A school hub that holds its upstream's catalog, restarted with another --upstream
// address for the same feed (the platform moved to https, or to a new CDN host)
// while the new address answers what must be refused (a feed.json altered after
// signing, a 404): it starts, serves the catalog it holds and says why, and moves
// to the new address once it answers well. Pointed at another feed's address, it
// says which feed it serves. The built CLI's hub, a real process, against real
// platforms on 127.0.0.1. Needs `electron-vite build` first (run under the build lock).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { cliIn, hubCli } from '../fixtures/cli';
import { writeBlobFeed } from '../fixtures/feeds';
import { servePlatform } from '../fixtures/platform';

let tmp: string;
const key = generateSigningKey('smartedu-2026');
const keyArg = ['--key', `${key.keyId}=${key.publicKey}`];
const FEED = 'cn.smartedu.basic';
const blob = Buffer.from('找春天 第一课时');

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** feed.json changed after it was signed: what the hub must refuse. */
const tamper = (dir: string) => {
  const file = path.join(dir, 'feed.json');
  const index = JSON.parse(fs.readFileSync(file, 'utf8')) as { title: string };
  fs.writeFileSync(file, JSON.stringify({ ...index, title: '篡改' }));
};

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-hub-moved-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('a hub restarted with a new --upstream address for the feed it holds', () => {
  it('serves the held catalog when the new address is refused, says why, and moves to the new address once it answers', async () => {
    const oldWww = path.join(tmp, 'old');
    const newWww = path.join(tmp, 'new');
    await writeBlobFeed(path.join(oldWww, 'basic'), { id: FEED, title: '国家中小学智慧教育平台', revision: 3, key, blobs: [blob] });
    const oldHost = await servePlatform(oldWww);
    const newHost = await servePlatform(newWww);
    const data = path.join(tmp, 'hub');
    try {
      const first = await hubCli(data, '--upstream', oldHost.url('basic/'), ...keyArg);
      expect(first.started, first.stderr()).toBe(true);
      expect(await first.stop()).toBe(0);

      // The platform moved: the new host publishes revision 4, but its feed.json was changed after signing.
      await writeBlobFeed(path.join(newWww, 'basic'), { id: FEED, title: '国家中小学智慧教育平台', revision: 4, key, blobs: [blob] });
      tamper(path.join(newWww, 'basic'));
      await oldHost.stop(); // the old address is gone

      const hub = await hubCli(data, '--upstream', newHost.url('basic/'), ...keyArg, '--upstream-retry', '300');
      try {
        // Before: exit 1 on the signature, and the school's classrooms without a hub.
        expect(hub.started, hub.stderr()).toBe(true);
        await until('the fallback logged', () => /先提供/.test(hub.stderr()));
        const oldUrl = oldHost.url('basic/').replace(/[./]/g, '\\$&');
        const newUrl = newHost.url('basic/').replace(/[./]/g, '\\$&');
        // Chinese first: the new address, why it was refused, and which feed is served from where.
        expect(hub.stderr()).toMatch(
          new RegExp(`新的上游地址 ${newUrl} 的目录未被采用：.*签名无效.*\\n先提供此前从 ${oldUrl} 取得的资源库 国家中小学智慧教育平台（${FEED}）第 3 版.* / .*serving the catalog held from ${oldUrl} \\(${FEED}, revision 3\\)`),
        );
        // Served: the catalog the hub holds.
        const index = (await (await fetch(`${hub.url}feed/${FEED}/feed.json`)).json()) as { revision: number };
        expect(index.revision).toBe(3);
        // `status` says it too, under the feed the hub serves.
        const shell = await cliIn(data, 'status');
        expect(shell.stdout).toMatch(new RegExp(`中心服务启动时检查，目录没有更新：国家中小学智慧教育平台（${FEED}）— .*新的上游地址 ${newUrl}`));

        // The platform fixes its publication: the hub takes it from the new address, without a restart.
        await writeBlobFeed(path.join(newWww, 'basic'), { id: FEED, title: '国家中小学智慧教育平台', revision: 4, key, blobs: [blob] });
        await until('the new address taken', () => /已改用新的上游地址/.test(hub.stderr()));
        expect(hub.stderr()).toMatch(new RegExp(`已改用新的上游地址 ${newUrl}：国家中小学智慧教育平台（${FEED}）第 4 版`));
        expect(((await (await fetch(`${hub.url}feed/${FEED}/feed.json`)).json()) as { revision: number }).revision).toBe(4);
        const list = (JSON.parse((await cliIn(data, '--json', 'status')).stdout) as { feeds: { id: string; source: string }[] }).feeds;
        expect(list.find((f) => f.id === FEED)?.source).toBe(newHost.url('basic/'));
        expect((await cliIn(data, 'status')).stdout).not.toMatch(/目录没有更新/);
      } finally {
        await hub.stop();
      }
    } finally {
      await oldHost.stop().catch(() => {});
      await newHost.stop();
    }
  });

  it('pointed at an address that is not a feed, serves the held one and names it', async () => {
    const www = path.join(tmp, 'other');
    await writeBlobFeed(path.join(www, 'basic'), { id: FEED, title: '国家中小学智慧教育平台', revision: 3, key, blobs: [blob] });
    const platform = await servePlatform(www);
    const data = path.join(tmp, 'hub-other');
    try {
      const first = await hubCli(data, '--upstream', platform.url('basic/'), ...keyArg);
      expect(first.started, first.stderr()).toBe(true);
      await first.stop();
      const hub = await hubCli(data, '--upstream', platform.url('math/'), ...keyArg);
      try {
        expect(hub.started, hub.stderr()).toBe(true);
        await until('the fallback logged', () => /先提供/.test(hub.stderr()));
        // Not served as if it were the new address's feed: the log says which feed it is and where it came from.
        expect(hub.stderr()).toMatch(/新的上游地址 http:\/\/127\.0\.0\.1:\d+\/math\/ 的目录未被采用：.*缺少 feed\.json/);
        expect(hub.stderr()).toMatch(new RegExp(`先提供此前从 http://127\\.0\\.0\\.1:\\d+/basic/ 取得的资源库 国家中小学智慧教育平台（${FEED}）第 3 版；新地址若是另一个资源库`));
        expect((await fetch(`${hub.url}feed/${FEED}/feed.json`)).status).toBe(200);
      } finally {
        await hub.stop();
      }
    } finally {
      await platform.stop();
    }
  });
});
