// `classboard feeds add /media/usb/...` with a teacher's export in a classroom that
// subscribes to the same platform feed through the school hub (nginx here): the
// built CLI says it filled the cache, and the lessons are there once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliIn } from '../fixtures/cli';
import { startNginx, type Nginx } from '../fixtures/nginx';

let tmp: string;
let hub: Nginx;
const pub = JSON.parse(fs.readFileSync('assets/demo-feed.pub.json', 'utf8')) as { keyId: string; publicKey: string };
const key = `${pub.keyId}=${pub.publicKey}`;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cli-export-sub-'));
  fs.cpSync('assets/demo-feed', path.join(tmp, 'platform'), { recursive: true });
  hub = await startNginx(path.join(tmp, 'platform'));
});
afterAll(async () => {
  await hub?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

it('feeds add of a stick whose lessons the classroom subscribes to fills its cache and says so', async () => {
  const board = path.join(tmp, 'board');
  const room = path.join(tmp, 'room');
  const usb = path.join(tmp, 'usb');
  expect((await cliIn(board, 'import', 'assets/demo-feed', '--key', key)).code).toBe(0);
  const exported = JSON.parse((await cliIn(board, '--json', 'export', usb, '--node', 'cn.classboard.demo/xx-4')).stdout);
  expect((await cliIn(room, 'feeds', 'add', hub.url, '--key', key)).code).toBe(0);
  const before = JSON.parse((await cliIn(room, '--json', 'search', '三角形')).stdout);

  // No --unsigned: the files are checked against the subscribed catalog, not the stick's.
  const r = await cliIn(room, 'feeds', 'add', usb);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout.split('\n')[0]).toMatch(
    new RegExp(`^已从 U 盘补充 ${exported.files} 个文件（[\\d.]+ [KMG]?B），这些课程来自已订阅的 Classboard 示例资源库，没有另加一份课程 / ${exported.files} files`),
  );
  const feeds = JSON.parse((await cliIn(room, '--json', 'feeds', 'list')).stdout) as { id: string }[];
  expect(feeds.map((f) => f.id)).toEqual(['cn.classboard.demo']);
  expect(JSON.parse((await cliIn(room, '--json', 'search', '三角形')).stdout).total).toBe(before.total);
  const status = JSON.parse((await cliIn(room, '--json', 'status')).stdout);
  expect(status.cachedBytes).toBeGreaterThan(100_000);

  // Again: nothing more to copy, said as such.
  const again = await cliIn(room, 'feeds', 'add', usb);
  expect(again.stdout).toMatch(/^已从 U 盘补充 0 个文件（0 B）.*\n  另有 \d+ 个文件本来就有/);

  // A classroom that took the stick as a feed of its own before it subscribed: the subscription folds the stick's copy in
  // (fold-export.ts), so there is no second copy to remove, and the stick brought again only fills the cache.
  const early = path.join(tmp, 'early-room');
  expect((await cliIn(early, 'feeds', 'add', usb, '--unsigned')).code).toBe(0);
  const subscribed = await cliIn(early, 'feeds', 'add', hub.url, '--key', key);
  expect(subscribed.code).toBe(0);
  expect(subscribed.stdout).toContain('U 盘导入的 3 个资源已并入 Classboard 示例资源库');
  expect((JSON.parse((await cliIn(early, '--json', 'feeds', 'list')).stdout) as { id: string }[]).map((f) => f.id)).toEqual(['cn.classboard.demo']);
  const late = await cliIn(early, 'feeds', 'add', usb);
  expect(late.code).toBe(0);
  expect(late.stdout).toMatch(/^已从 U 盘补充 0 个文件/);
  expect(late.stdout).not.toContain('第二份');
});
