// A teacher's USB stick through the built CLI (build lock): an export onto a stick
// too small for it (a real tmpfs, root only; CI runs as root), and a stick whose
// copy is incomplete, taken by `feeds add` and `import`, then met by the night sync.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliIn } from '../fixtures/cli';
import { mountTmpfs, unmountTmpfs } from '../fixtures/tmpfs';

const pub = JSON.parse(fs.readFileSync('assets/demo-feed.pub.json', 'utf8')) as { keyId: string; publicKey: string };
const key = `${pub.keyId}=${pub.publicKey}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cli-usb-'));
const board = path.join(tmp, 'board');
const small = path.join(tmp, 'small-usb');
const cannotMount = mountTmpfs(small, '1m');

beforeAll(async () => {
  expect((await cliIn(board, 'import', 'assets/demo-feed', '--key', key)).code).toBe(0);
});
afterAll(() => {
  unmountTmpfs(small);
  fs.rmSync(tmp, { recursive: true, force: true });
});

it.skipIf(cannotMount)(`export onto a stick too small for it is refused at once, naming the stick${cannotMount ? ` (skipped: ${cannotMount})` : ''}`, async () => {
  const r = await cliIn(board, 'export', path.join(small, 'lessons'));
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`^classboard: U 盘（${small}）空间不足：需要 2\\.\\d MB，剩余 1(\\.0)? MB。`));
  expect(r.stderr).not.toMatch(/数据文件夹|data folder/);
  expect(fs.readdirSync(small)).toEqual([]);
});

it('names the lessons of a half-copied stick in feeds add and import, and the night sync says to copy it again at its source', async () => {
  const usb = path.join(tmp, 'usb');
  expect((await cliIn(board, 'export', usb, '--node', 'cn.classboard.demo/xx-3')).code).toBe(0);
  // The stick was pulled out while one file was being copied onto it by hand.
  const shard = JSON.parse(fs.readFileSync(path.join(usb, 'shards', 'export.json'), 'utf8')) as { resources: { title: string; files: { sha256: string; size: number }[] }[] };
  const torn = shard.resources.flatMap((r) => r.files).sort((a, b) => b.size - a.size)[0]!;
  const titles = [...new Set(shard.resources.filter((r) => r.files.some((f) => f.sha256 === torn.sha256)).map((r) => r.title))].sort();
  fs.truncateSync(path.join(usb, 'blobs', torn.sha256.slice(0, 2), torn.sha256), Math.floor(torn.size / 2));
  const said = `U 盘上有 1 个文件不完整（${titles.join('、')}），未导入；请在原来的电脑上重新导出或重新复制后再导入 / 1 file on the stick is incomplete`;

  const added = await cliIn(path.join(tmp, 'room-c'), 'feeds', 'add', usb, '--unsigned');
  expect(added.code).toBe(0);
  expect(added.stdout).toMatch(/^已订阅 .*个资源\n/);
  expect(added.stdout).toContain(said);

  const imported = await cliIn(path.join(tmp, 'room-d'), 'import', usb, '--unsigned');
  expect(imported.code).toBe(0);
  expect(imported.stdout).toContain('校验失败 1');
  expect(imported.stdout).toContain(said);
  const json = JSON.parse((await cliIn(path.join(tmp, 'room-e'), '--json', 'import', usb, '--unsigned')).stdout);
  expect(json.blobs).toMatchObject({ rejected: 1, incomplete: titles });

  // The night: the file cannot be downloaded, and importing that stick again would not bring it.
  const night = await cliIn(path.join(tmp, 'room-c'), 'sync');
  expect(night.code).toBe(2);
  expect(night.stdout).toContain('如果导入时提示 U 盘上的文件不完整，请先在原来的电脑上重新导出或重新复制该文件夹，再导入。');
  expect(night.stdout).toContain(`涉及：${titles.join('、')}`);
});
