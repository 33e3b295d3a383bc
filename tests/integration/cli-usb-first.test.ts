// Through the built CLI (build lock): a classroom without network imports a
// teacher's stick, then subscribes to the feed its lessons came from (the school
// hub, here nginx serving the demo feed). `feeds add` says the stick's copy is
// folded in, and search lists each lesson once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliIn } from '../fixtures/cli';
import { startNginx, type Nginx } from '../fixtures/nginx';

const pub = JSON.parse(fs.readFileSync('assets/demo-feed.pub.json', 'utf8')) as { keyId: string; publicKey: string };
const key = `${pub.keyId}=${pub.publicKey}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cli-usb-first-'));
let hub: Nginx;

beforeAll(async () => {
  fs.cpSync(path.resolve('assets/demo-feed'), path.join(tmp, 'platform'), { recursive: true });
  hub = await startNginx(path.join(tmp, 'platform'));
  expect((await cliIn(path.join(tmp, 'board'), 'import', 'assets/demo-feed', '--key', key)).code).toBe(0);
});
afterAll(async () => {
  await hub?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

it('feeds add of the stick’s feed folds the stick in, says so, and nothing shows twice', async () => {
  const usb = path.join(tmp, 'usb');
  expect((await cliIn(path.join(tmp, 'board'), 'export', usb, '--node', 'cn.classboard.demo/xx-4')).code).toBe(0);
  const room = path.join(tmp, 'room');
  expect((await cliIn(room, 'feeds', 'add', usb, '--unsigned')).code).toBe(0);

  const added = await cliIn(room, 'feeds', 'add', hub.url, '--key', key);
  expect(added.code).toBe(0);
  expect(added.stdout).toContain('U 盘导入的 3 个资源已并入 Classboard 示例资源库，不会重复显示，也不会重新下载');
  const found = await cliIn(room, '--json', 'search', '三角形');
  const ids = (JSON.parse(found.stdout) as { results: { id: string }[] }).results.map((r) => r.id);
  expect(ids.sort()).toEqual(['cn.classboard.demo/l-sjxfl-rw', 'cn.classboard.demo/l-sjxnjh-tu', 'cn.classboard.demo/l-sjxnjh-v1']);
  expect((await cliIn(room, 'feeds', 'list')).stdout).not.toContain('classboard.export.');
});
