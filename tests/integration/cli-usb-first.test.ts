// Through the built CLI (build lock): a classroom without network imports a
// teacher's stick, then subscribes to the feed its lessons came from (the school
// hub, here nginx serving the demo feed). `feeds add` says the stick's copy is
// folded in, and search lists each lesson once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { cliIn } from '../fixtures/cli';
import { reviseDemoFeed } from '../fixtures/feeds';
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

it('feeds add says which of the stick’s lessons the platform revised since: kept on the stick, not folded', async () => {
  const key = generateSigningKey('platform-2');
  await reviseDemoFeed(path.join(tmp, 'platform-revised'), { key, resourceId: 'l-sjxnjh-v1', video: Buffer.from('新版视频') });
  const platform = await startNginx(path.join(tmp, 'platform-revised'));
  try {
    const usb = path.join(tmp, 'usb-revised');
    expect((await cliIn(path.join(tmp, 'board'), 'export', usb, '--node', 'cn.classboard.demo/xx-4')).code).toBe(0);
    const room = path.join(tmp, 'room-revised');
    expect((await cliIn(room, 'feeds', 'add', usb, '--unsigned')).code).toBe(0);

    const added = await cliIn(room, 'feeds', 'add', platform.url, '--key', `${key.keyId}=${key.publicKey}`);
    expect(added.code).toBe(0);
    // Not downloaded again is said of the two that folded only; the revised one stays the stick's.
    expect(added.stdout).toContain('U 盘导入的 2 个资源已并入 Classboard 示例资源库，不会重复显示，也不会重新下载');
    expect(added.stdout).toContain('U 盘上有 1 个资源与 Classboard 示例资源库 里的版本不同，仍保留在 U 盘导入的资源中');
    expect((await cliIn(room, 'feeds', 'list')).stdout).toContain('classboard.export.');
  } finally {
    await platform.stop();
  }
});

