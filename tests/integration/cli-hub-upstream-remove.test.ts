// `classboard feeds remove` on a school hub's data folder: the hub's upstream feed
// (the one `classboard hub --upstream` mirrors, which every classroom subscribes to
// through the hub) is refused unless forced, whether the hub runs or not; any
// other feed goes as before. The built CLI's hub, a real process, against a real
// upstream on 127.0.0.1. Needs `electron-vite build` first (run under the build lock).
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { cliIn, hubCli } from '../fixtures/cli';
import { writeBlobFeed } from '../fixtures/feeds';
import { servePlatform } from '../fixtures/platform';

let tmp: string;
let www: string;
let platform: Awaited<ReturnType<typeof servePlatform>>;
let upstream: string;
const key = generateSigningKey('smartedu-2026');
const keyArg = ['--key', `${key.keyId}=${key.publicKey}`];
const FEED = 'cn.smartedu.basic';
const DEMO = 'cn.classboard.demo'; // the hub imports it into an empty library: an ordinary feed here

const feedIds = async (dir: string) => {
  const r = await cliIn(dir, '--json', 'feeds', 'list');
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { id: string }[]).map((f) => f.id).sort();
};

const REFUSAL = new RegExp(
  `${FEED.replace(/\./g, '\\.')} 是本校中心服务的上游资源库（classboard hub --upstream http://127\\.0\\.0\\.1:\\d+/basic/），各教室都通过中心服务订阅它；` +
    '取消订阅后教室将失去这些课程，中心服务也要经外网重新下载全部文件。' +
    `确需取消：先停止中心服务，运行 classboard feeds remove ${FEED.replace(/\./g, '\\.')} --force，再不带（或改换）--upstream 启动中心服务 / ` +
    `${FEED.replace(/\./g, '\\.')} is the school hub's upstream feed`,
);

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-hub-upstream-remove-'));
  www = path.join(tmp, 'www');
  await writeBlobFeed(path.join(www, 'basic'), { id: FEED, title: '国家中小学智慧教育平台', revision: 3, key, blobs: [Buffer.from('第一课')] });
  platform = await servePlatform(www);
  upstream = platform.url('basic/');
});
afterAll(async () => {
  await platform?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('feeds remove on a school hub', () => {
  it("refuses the hub's upstream, running or stopped, with what to do; --force removes it; other feeds go as before", async () => {
    const data = path.join(tmp, 'hub');
    const hub = await hubCli(data, '--upstream', upstream, ...keyArg);
    let stopped: number | null;
    try {
      expect(hub.started, hub.stderr()).toBe(true);
      expect(await feedIds(data)).toEqual([DEMO, FEED]);

      // Before: exit 0, "已取消订阅", and the hub's /feed/cn.smartedu.basic/ a 404 for every classroom.
      const refused = await cliIn(data, 'feeds', 'remove', FEED);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(REFUSAL);
      expect(refused.stdout).toBe('');
      const json = await cliIn(data, '--json', 'feeds', 'remove', FEED);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stderr)).toMatchObject({ ok: false, error: { code: 'refused' } });
      expect(await feedIds(data)).toEqual([DEMO, FEED]);
      expect((await fetch(`${hub.url}feed/${FEED}/feed.json`)).status).toBe(200);

      // Any other feed on the hub's folder is removed as ever.
      const demo = await cliIn(data, 'feeds', 'remove', DEMO);
      expect(demo.code, demo.stderr).toBe(0);
      expect(demo.stdout).toMatch(new RegExp(`^已取消订阅 ${DEMO}：\\d+ 个资源已移出资料库`));
      expect(await feedIds(data)).toEqual([FEED]);
    } finally {
      stopped = await hub.stop();
    }
    expect(stopped).toBe(0);

    // Kept in the library: a stopped hub's folder says the same.
    expect((await cliIn(data, 'feeds', 'remove', FEED)).stderr).toMatch(REFUSAL);
    expect(await feedIds(data)).toEqual([FEED]);

    // The admin who means it.
    const forced = await cliIn(data, 'feeds', 'remove', FEED, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(new RegExp(`^已取消订阅 ${FEED}：\\d+ 个资源已移出资料库`));
    expect(await feedIds(data)).toEqual([]);
    expect(fs.existsSync(path.join(data, 'feeds', FEED))).toBe(false);
    const again = await cliIn(data, 'feeds', 'remove', FEED);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(`没有订阅 ${FEED}：目前没有订阅任何资源库 / no such feed: ${FEED}; no feed is subscribed`);
  });

  it('a hub restarted while its platform is down, serving the catalog it holds, records it as its upstream too', async () => {
    const data = path.join(tmp, 'held');
    const first = await hubCli(data, '--upstream', upstream, ...keyArg);
    expect(first.started, first.stderr()).toBe(true);
    expect(await first.stop()).toBe(0);
    // A folder a hub used before the upstream was recorded.
    const db = new Database(path.join(data, 'library.db'));
    db.prepare("DELETE FROM settings WHERE key = 'hub.upstream'").run();
    db.close();

    platform.state.mode = 'maintenance';
    try {
      const hub = await hubCli(data, '--upstream', upstream, ...keyArg);
      try {
        expect(hub.started, hub.stderr()).toBe(true);
        expect(hub.stderr()).toMatch(`先提供已有的目录 ${FEED}（第 3 版）`);
        // status dates the failed check at the hub's start, not as the last sync's.
        const status = await cliIn(data, 'status');
        expect(status.stdout).toMatch(/\d{2}:\d{2}:\d{2} 中心服务启动时检查，目录没有更新：/);
        const refused = await cliIn(data, 'feeds', 'remove', FEED);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(REFUSAL);
      } finally {
        await hub.stop();
      }
    } finally {
      platform.state.mode = 'up';
    }
    expect(await feedIds(data)).toEqual([DEMO, FEED]);
  });

  it('a hub first started while its platform is down records its upstream once its retry takes the catalog', async () => {
    const data = path.join(tmp, 'retried');
    platform.state.mode = 'maintenance';
    const hub = await hubCli(data, '--upstream', upstream, ...keyArg, '--upstream-retry', '300');
    try {
      expect(hub.started, hub.stderr()).toBe(true);
      platform.state.mode = 'up';
      const end = Date.now() + 20_000;
      while (!/已取得上游资源库/.test(hub.stderr())) {
        if (Date.now() > end) throw new Error(`the catalog was not taken: ${hub.stderr()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const refused = await cliIn(data, 'feeds', 'remove', FEED);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(REFUSAL);
    } finally {
      platform.state.mode = 'up';
      await hub.stop();
    }
  });
});
