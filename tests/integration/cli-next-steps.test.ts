// What the built CLI tells an admin to do next (admin2 report #8, #9, #11): errors
// that name the next step, unkeep saying the files stay, verify naming lessons by
// their place. Real processes on real data folders,
// a real hub on 127.0.0.1. Needs `electron-vite build` first (run under the build lock).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliIn, hubCli } from '../fixtures/cli';

const pub = JSON.parse(fs.readFileSync('assets/demo-feed.pub.json', 'utf8')) as { keyId: string; publicKey: string };
const keyArg = ['--key', `${pub.keyId}=${pub.publicKey}`];
/** The PDF every 学习任务单 of the demo feed is. */
const WORKSHEET = 'bb3fdc0bde0ba17585787f0aaaabd8e74998c5d2a95184f2c15c0a3da9de508c';

let tmp: string;
let room: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-next-steps-'));
  room = path.join(tmp, 'room');
  const imported = await cliIn(room, 'import', 'assets/demo-feed', ...keyArg);
  expect(imported.code, imported.stderr).toBe(0);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('classboard tells the admin what to do next', () => {
  it('keep of an id without its feed prefix names the id meant and classboard selection', async () => {
    const r = await cliIn(room, 'keep', 'xx-3');
    expect(r.code).toBe(1);
    // Before: "没有这个目录节点 / no such node: xx-3".
    expect(r.stderr).toBe(
      'classboard: 没有目录节点 xx-3：节点 id 带资源库前缀，是不是 cn.classboard.demo/xx-3？classboard selection 可逐级查看各节点的 id / no node xx-3: node ids carry their feed\'s prefix; did you mean cn.classboard.demo/xx-3? classboard selection lists them, level by level\n',
    );
    const none = await cliIn(room, 'unkeep', 'nope');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^classboard: 没有目录节点 nope：节点 id 带资源库前缀（如 cn\.classboard\.demo\/…），classboard selection 可逐级查看各节点的 id \/ /);
  });

  it('feeds remove of an id not subscribed lists those that are and names feeds list', async () => {
    const r = await cliIn(room, 'feeds', 'remove', 'nope');
    expect(r.code).toBe(1);
    // Before: "没有订阅 nope / no such feed".
    expect(r.stderr).toBe('classboard: 没有订阅 nope；已订阅的是 cn.classboard.demo（classboard feeds list 可查看） / no such feed: nope; subscribed: cn.classboard.demo (see classboard feeds list)\n');
  });

  it('unkeep says what was downloaded stays on this machine, with its size, and goes first when the cache needs room', async () => {
    const shown = await cliIn(room, '--json', 'selection', 'cn.classboard.demo/xx');
    const grade = (JSON.parse(shown.stdout) as { nodes: { id: string; cachedBytes: number }[] }).nodes.find((n) => n.id === 'cn.classboard.demo/xx-3')!;
    expect(grade.cachedBytes).toBeGreaterThan(0);
    const r = await cliIn(room, 'unkeep', 'cn.classboard.demo/xx-3');
    expect(r.code, r.stderr).toBe(0);
    // Before: only "离线保存所选内容：927 KB".
    expect(r.stdout).toMatch(/^离线保存所选内容：.+\n不再离线保存的内容中，已下载的 .+ 仍留在本机，可以照常使用；缓存空间不够时会先清理这些文件（课表和收藏中的课程除外） \/ /);
    // A second unkeep of the same grade changes nothing and says so (cli-unkeep.ts).
    expect(JSON.parse((await cliIn(room, '--json', 'unkeep', 'cn.classboard.demo/xx-3')).stdout)).toMatchObject({ unchanged: true });
    expect((await cliIn(room, 'keep', 'cn.classboard.demo/xx-3')).code).toBe(0);
    const json = await cliIn(room, '--json', 'unkeep', 'cn.classboard.demo/xx-3');
    expect(JSON.parse(json.stdout)).toMatchObject({ downloadedBytes: grade.cachedBytes, notKept: [] });
    expect((await cliIn(room, 'keep', 'cn.classboard.demo/xx-3')).code).toBe(0);
  });

  it('verify names each 学习任务单 with its lesson and unit', async () => {
    const data = path.join(tmp, 'verify');
    expect((await cliIn(data, 'import', 'assets/demo-feed', ...keyArg)).code).toBe(0);
    fs.appendFileSync(path.join(data, 'cache', 'blobs', WORKSHEET.slice(0, 2), WORKSHEET), 'bit rot');
    const r = await cliIn(data, 'verify');
    expect(r.code).toBe(2);
    // Before: "…：学习任务单、学习任务单、…" (one title for six lessons).
    expect(r.stdout).toContain('学习任务单（分数的初步认识 · 第八单元 分数的初步认识）');
    expect(r.stdout).toContain('学习任务单（2 找春天 · 第一单元）');
    expect(r.stdout).toMatch(/等 6 节课/);
    // Taken again from the folder, damaged again: --json gives each lesson's path, root first.
    expect((await cliIn(data, 'import', 'assets/demo-feed', ...keyArg)).code).toBe(0);
    fs.appendFileSync(path.join(data, 'cache', 'blobs', WORKSHEET.slice(0, 2), WORKSHEET), 'bit rot');
    const json = await cliIn(data, '--json', 'verify');
    expect(json.code).toBe(2);
    expect((JSON.parse(json.stdout) as { lessons: unknown[] }).lessons).toContainEqual(
      expect.objectContaining({ title: '学习任务单', path: expect.arrayContaining(['第八单元 分数的初步认识', '分数的初步认识']) }),
    );
  });

  it('hub on a port in use says another hub may be running; feeds add of a mistyped id on a hub lists the feeds it serves', async () => {
    const hub = await hubCli(path.join(tmp, 'hub'));
    try {
      expect(hub.started, hub.stderr()).toBe(true);
      const port = new URL(hub.url).port;
      const again = await cliIn(path.join(tmp, 'hub2'), 'hub', '--port', port, '--no-schedule');
      expect(again.code).toBe(1);
      // Before: "端口已被占用 / listen EADDRINUSE: address already in use 127.0.0.1:…".
      expect(again.stderr).toBe(
        `classboard: 端口 ${port} 已被占用：可能另一个中心服务已在运行（请先停止它），或用 --port 换一个端口 / port ${port} is in use: another hub may be running already (stop it first), or choose another port with --port\n`,
      );
      const typo = await cliIn(path.join(tmp, 'classroom'), 'feeds', 'add', `${hub.url}feed/cn.classboard.dem/`, ...keyArg);
      expect(typo.code).toBe(1);
      // Before: "…/feed/cn.classboard.dem/ 不是资源库：缺少 feed.json / no feed.json there", and nothing more.
      expect(typo.stderr).toContain(`不是资源库：缺少 feed.json；这个中心服务提供的资源库：Classboard 示例资源库（${hub.url}feed/cn.classboard.demo/） / `);
      expect(typo.stderr).toMatch(new RegExp(`no feed\\.json there; this hub serves: ${hub.url.replace(/[.]/g, '\\.')}feed/cn\\.classboard\\.demo/\\n$`));
      // The listing names feeds only: no source paths of the hub's.
      const listing = (await (await fetch(`${hub.url}feed/`)).json()) as unknown;
      expect(listing).toEqual({ feeds: [{ id: 'cn.classboard.demo', title: 'Classboard 示例资源库' }] });
      // The right address subscribes as ever.
      const ok = await cliIn(path.join(tmp, 'classroom'), 'feeds', 'add', `${hub.url}feed/cn.classboard.demo/`, ...keyArg);
      expect(ok.code, ok.stderr).toBe(0);
    } finally {
      await hub.stop();
    }
  });
});
