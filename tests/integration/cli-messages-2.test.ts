// What an IT admin reads from the built CLI, second round: a hub's status error
// said Chinese first, verify naming the lessons it took out, and a hub without a
// night schedule not promising a night's try. Real processes, a real hub and a
// real upstream on 127.0.0.1. Needs `electron-vite build` first (run under the
// build lock).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { syncAll } from '../../main/sync/engine';
import { cliIn, hubCli } from '../fixtures/cli';
import { writeBlobFeed } from '../fixtures/feeds';
import { servePlatform } from '../fixtures/platform';
import { freePort } from '../fixtures/ports';
import { hubServices } from '../fixtures/services';

let tmp: string;
let www: string;
const key = generateSigningKey('smartedu-2026');
const keyArg = ['--key', `${key.keyId}=${key.publicKey}`];
let shas: string[];

const CJK = /[\u3400-\u9fff\uff00-\uffef]/;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-messages-2-'));
  www = path.join(tmp, 'www');
  shas = await writeBlobFeed(path.join(www, 'basic'), {
    id: 'cn.smartedu.basic',
    title: '国家中小学智慧教育平台',
    revision: 3,
    key,
    blobs: [Buffer.from('第一课'), Buffer.from('第二课'), Buffer.from('第三课')],
  });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('classboard messages an admin reads (2)', () => {
  it('feeds add against a hub with no catalog yet: Chinese first with the hub’s own words, then English', async () => {
    const port = await freePort(); // nobody listens: the hub cannot take its upstream
    const hub = await hubCli(path.join(tmp, 'hub-empty'), '--upstream', `http://127.0.0.1:${port}/basic/`, ...keyArg, '--upstream-retry', '60000');
    try {
      expect(hub.started, hub.stderr()).toBe(true);
      const add = await cliIn(path.join(tmp, 'classroom'), 'feeds', 'add', `${hub.url}feed/cn.smartedu.basic/`, ...keyArg);
      expect(add.code).toBe(1);
      // Before: "classboard: http://…/feed.json answered HTTP 503: 中心服务还没有…", English first.
      expect(add.stderr).toMatch(/127\.0\.0\.1:\d+ 暂时无法提供服务（HTTP 503，feed\.json）：中心服务还没有取得上游资源库的目录（无法连接上游），.+再试，请稍后再订阅 \/ http:\/\/127\.0\.0\.1:\d+\/feed\/cn\.smartedu\.basic\/feed\.json answered HTTP 503: the hub holds no catalog of its upstream yet/);
      const english = add.stderr.slice(add.stderr.indexOf(' / http'));
      expect(english).not.toMatch(CJK);
    } finally {
      await hub.stop();
    }
  });

  it('verify names the lessons whose files it took out and says the next sync fetches them again, in text and --json', async () => {
    const server = await servePlatform(www);
    const upstream = server.url('basic/');
    const data = path.join(tmp, 'verify');
    try {
      const s = hubServices(data);
      try {
        await s.importFeed(upstream, { keys: { [key.keyId]: key.publicKey } });
        expect(await syncAll(s)).toMatchObject({ downloaded: { files: 3 }, failed: [] });
        fs.rmSync(s.blobs.pathFor(shas[1]!));
        fs.appendFileSync(s.blobs.pathFor(shas[2]!), 'bit rot');
      } finally {
        s.close();
      }
      const human = await cliIn(data, 'verify');
      expect(human.code).toBe(2);
      // Before: only "损坏 1 个，缺失 1 个，已移出：平台的资源在下次同步时重新下载…", no lesson named.
      expect(human.stdout).toMatch(/损坏 1 个，缺失 1 个，已移出\n {2}下次同步时会重新下载（classboard sync --now 立即下载）：第2课时（课）、第3课时（课）\n?$/);
      fs.rmSync(s.blobs.pathFor(shas[0]!));
      const json = await cliIn(data, '--json', 'verify');
      expect(json.code).toBe(2);
      expect(JSON.parse(json.stdout)).toMatchObject({ missing: [shas[0]], lessons: [{ title: '第1课时', feedId: 'cn.smartedu.basic', next: 'sync' }] });
      expect((await cliIn(data, 'verify')).stdout).not.toMatch(/下次同步/);
    } finally {
      await server.stop();
    }
  });

  it('hub --no-schedule with its upstream down at start does not promise a night’s try', async () => {
    const server = await servePlatform(www);
    const upstream = server.url('basic/');
    const data = path.join(tmp, 'hub-held');
    try {
      const first = await hubCli(data, '--upstream', upstream, ...keyArg);
      expect(first.started, first.stderr()).toBe(true);
      await first.stop();
      server.state.mode = 'maintenance';
      const again = await hubCli(data, '--upstream', upstream, ...keyArg);
      try {
        expect(again.started, again.stderr()).toBe(true);
        // Before: "…（第 3 版），夜间同步时再试", from a hub that runs nothing at night.
        expect(again.stderr()).toMatch(/先提供已有的目录 cn\.smartedu\.basic（第 3 版），下次启动中心服务或运行 classboard sync --now 时再试 \/ .*when the hub next starts or classboard sync --now runs/);
        expect(again.stderr()).not.toMatch(/夜间同步/);
      } finally {
        await again.stop();
      }
    } finally {
      await server.stop();
    }
  });

  it('an export is named by its date, not by a revision that is a timestamp', async () => {
    const pub = JSON.parse(fs.readFileSync('assets/demo-feed.pub.json', 'utf8')) as { keyId: string; publicKey: string };
    const board = path.join(tmp, 'board');
    expect((await cliIn(board, 'import', 'assets/demo-feed', '--key', `${pub.keyId}=${pub.publicKey}`)).code).toBe(0);
    const usb = path.join(tmp, 'usb');
    expect((await cliIn(board, 'export', usb, '--node', 'cn.classboard.demo/xx-3')).code).toBe(0);
    const revision = (JSON.parse(fs.readFileSync(path.join(usb, 'feed.json'), 'utf8')) as { revision: number }).revision;
    const day = new Date(revision * 1000).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'numeric', day: 'numeric' });
    const room = path.join(tmp, 'room-usb');
    // Before: "已导入 Classboard 导出的课程（classboard.export.…）第 1796093414 版".
    const imported = await cliIn(room, 'import', usb, '--unsigned');
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(new RegExp(`^已导入 Classboard 导出的课程（classboard\\.export\\.\\w+）${day} \\d{2}:\\d{2} 导出的版本：`));
    const listed = await cliIn(room, 'feeds', 'list');
    expect(listed.stdout).toContain(`${day} `);
    const status = await cliIn(room, 'status');
    for (const out of [imported.stdout, listed.stdout, status.stdout]) expect(out).not.toMatch(new RegExp(`第 ${revision} 版`));
    // A platform's revision is still a number, and --json keeps the revision as it is.
    expect((await cliIn(board, 'feeds', 'list')).stdout).toMatch(/^cn\.classboard\.demo\t第 \d+ 版\t/m);
    expect(JSON.parse((await cliIn(room, '--json', 'feeds', 'list')).stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ revision })]));
  });
});
