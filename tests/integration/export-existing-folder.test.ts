// `classboard export` into a folder that already holds a feed, as a school IT admin
// meets it through the built CLI (build lock): the platform's signed stick, the same
// stick exported to twice with two selections, another library's export, and two
// exports into one folder at once. The folder is refused before anything is written;
// --replace (or the union it names) leaves a whole, importable feed with no orphans.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliIn } from '../fixtures/cli';

const pub = JSON.parse(fs.readFileSync('assets/demo-feed.pub.json', 'utf8')) as { keyId: string; publicKey: string };
const key = `${pub.keyId}=${pub.publicKey}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-export-existing-'));
const board = path.join(tmp, 'board');
const X3 = 'cn.classboard.demo/xx-3';
const X4 = 'cn.classboard.demo/xx-4';

beforeAll(async () => {
  expect((await cliIn(board, 'import', 'assets/demo-feed', '--key', key)).code).toBe(0);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every file under `dir` with its hash: what the stick holds, to see it untouched. */
function snapshot(dir: string): Record<string, string> {
  const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
  return Object.fromEntries(files.map((f) => [f, crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex')]));
}

type ShardDoc = { resources: { files: { sha256: string }[] }[] };
/** The stick's feed checked whole: each listed shard and blob there with its hash, and no blob it does not list. */
function checkFeed(dir: string): { id: string; resources: number } {
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'feed.json'), 'utf8')) as { id: string; shards: { path: string; sha256: string }[] };
  const listed = new Set<string>();
  let resources = 0;
  for (const s of index.shards) {
    const bytes = fs.readFileSync(path.join(dir, s.path));
    expect(crypto.createHash('sha256').update(bytes).digest('hex')).toBe(s.sha256);
    const shard = JSON.parse(bytes.toString('utf8')) as ShardDoc;
    resources += shard.resources.length;
    for (const f of shard.resources.flatMap((r) => r.files)) listed.add(f.sha256);
  }
  const blobs = Object.entries(snapshot(path.join(dir, 'blobs')));
  for (const [file, sha] of blobs) expect(path.basename(file)).toBe(sha);
  expect(new Set(blobs.map(([file]) => path.basename(file)))).toEqual(listed);
  expect(fs.readdirSync(path.join(dir, 'shards'))).toEqual(index.shards.map((s) => path.basename(s.path)));
  expect(fs.readdirSync(dir).filter((f) => f.includes('lock'))).toEqual([]);
  return { id: index.id, resources };
}

it("refuses to export onto the platform's signed stick, naming the feed; the stick still imports; --replace overwrites it whole", async () => {
  const usb = path.join(tmp, 'usb-platform');
  fs.cpSync('assets/demo-feed', usb, { recursive: true });
  const before = snapshot(usb);
  const r = await cliIn(board, 'export', usb, '--node', X4);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toContain(
    `classboard: ${usb} 里已有资源库“Classboard 示例资源库”（cn.classboard.demo，15 个资源，已签名），导出会替换掉它，别的教室就不能再从这里导入它，所以没有导出。请导出到空文件夹或新的子文件夹（如 "${usb}/课程导出"）；确要替换它，加 --replace / `,
  );
  expect(r.stderr).toContain('already holds the feed "Classboard 示例资源库" (cn.classboard.demo, 15 resources, signed)');
  expect(snapshot(usb)).toEqual(before);
  const room = JSON.parse((await cliIn(path.join(tmp, 'room-platform'), '--json', 'import', usb, '--key', key)).stdout);
  expect(room).toMatchObject({ feedId: 'cn.classboard.demo', resources: 15 });

  // On purpose: the export alone, the platform's signature, shards and other files gone.
  const replaced = await cliIn(board, 'export', usb, '--node', X4, '--replace');
  expect(replaced.code).toBe(0);
  expect(replaced.stdout).toContain('已替换这个文件夹原有的资源库“Classboard 示例资源库”（cn.classboard.demo）');
  expect(fs.existsSync(path.join(usb, 'feed.json.sig'))).toBe(false);
  expect(checkFeed(usb)).toMatchObject({ id: expect.stringMatching(/^classboard\.export\./), resources: 3 });
  const imported = JSON.parse((await cliIn(path.join(tmp, 'room-replaced'), '--json', 'import', usb, '--unsigned')).stdout);
  expect(imported).toMatchObject({ resources: 3, blobs: { rejected: 0, missing: 0 } });
});

it('refuses a second selection onto a stick holding this library’s export, naming the command that exports both, which leaves a feed of both', async () => {
  const usb = path.join(tmp, 'usb1');
  const first = await cliIn(board, '--json', 'export', usb, '--node', X3);
  expect(first.code).toBe(0);
  const id3 = (JSON.parse(first.stdout) as { id: string; resources: number }).id;
  const n3 = (JSON.parse(first.stdout) as { resources: number }).resources;
  // The same export again goes on (a re-run after a full stick, an update).
  expect((await cliIn(board, 'export', usb, '--node', X3)).code).toBe(0);
  const before = snapshot(usb);

  const r = await cliIn(board, 'export', usb, '--node', X4);
  expect(r.code).toBe(1);
  const cmd = `classboard export ${usb} --node ${X3} --node ${X4} --replace`;
  expect(r.stderr).toContain(
    `${usb} 里已有资源库“Classboard 导出的课程”（${id3}，${n3} 个资源），导出会替换掉它，它的课程就从这里丢失了，所以没有导出。它是本资源库之前导出的另一部分；要把两部分放在一起，请一次导出（替换它）：\n  ${cmd}\n也可以导出到空文件夹或新的子文件夹`,
  );
  expect(r.stderr).toContain('to have both on it, export them together, replacing it (the command above); or export to an empty folder');
  expect(snapshot(usb)).toEqual(before);

  // The command it names: one feed of both, every file of the first kept, none orphaned.
  const both = await cliIn(board, '--json', 'export', usb, '--node', X3, '--node', X4, '--replace');
  expect(both.code).toBe(0);
  const done = JSON.parse(both.stdout) as { resources: number };
  expect(done.resources).toBe(n3 + 3);
  expect(checkFeed(usb).resources).toBe(n3 + 3);
  for (const [file, sha] of Object.entries(before)) if (file.startsWith('blobs')) expect(snapshot(usb)[file]).toBe(sha);
  const imported = JSON.parse((await cliIn(path.join(tmp, 'room-both'), '--json', 'import', usb, '--unsigned')).stdout);
  expect(imported).toMatchObject({ resources: n3 + 3, blobs: { rejected: 0, missing: 0 } });

  // A part of what the stick holds: exporting the stick's own selection again updates it.
  const part = await cliIn(board, 'export', usb, '--node', X4);
  expect(part.code).toBe(1);
  expect(part.stderr).toContain(`已包含这次所选的部分；要更新它，请按原来的选择再导出一次：\n  classboard export ${usb} --node ${X3} --node ${X4}\n也可以`);
});

it("refuses another library's export and a feed.json that is no feed, and says so", async () => {
  const other = path.join(tmp, 'other-board');
  expect((await cliIn(other, 'import', 'assets/demo-feed', '--key', key)).code).toBe(0);
  const usb = path.join(tmp, 'usb-other');
  const theirs = JSON.parse((await cliIn(other, '--json', 'export', usb, '--node', X4)).stdout) as { id: string };
  const before = snapshot(usb);
  const r = await cliIn(board, 'export', usb, '--node', X4);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`${usb} 里已有资源库“Classboard 导出的课程”（${theirs.id}，3 个资源），导出会替换掉它`);
  expect(r.stderr).not.toContain('本资源库之前导出');
  expect(snapshot(usb)).toEqual(before);

  const junk = path.join(tmp, 'usb-junk');
  fs.mkdirSync(junk);
  fs.writeFileSync(path.join(junk, 'feed.json'), '{"hello": 1}');
  const j = await cliIn(board, 'export', junk);
  expect(j.code).toBe(1);
  expect(j.stderr).toContain(`${junk} 里已有一个无法识别的 feed.json，这次导出会替换它，所以没有导出`);
  expect(fs.readdirSync(junk)).toEqual(['feed.json']);
});

it('refuses an export into a folder another export is writing to, takes over a lock its dead process left, and of two at once keeps one whole', async () => {
  const usb = path.join(tmp, 'usb-busy');
  fs.mkdirSync(usb);
  const lock = path.join(usb, '.classboard-export.lock');
  // This test process stands for an export under way.
  fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, token: 'test' }));
  const r = await cliIn(board, 'export', usb, '--node', X4);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`另一个导出正在写入 ${usb}（进程 ${process.pid}），这次没有导出；请等它完成后再导出，或换一个文件夹`);
  expect(fs.readdirSync(usb)).toEqual(['.classboard-export.lock']);

  // That export was killed: its lock is taken over, and given back at the end.
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  fs.writeFileSync(lock, JSON.stringify({ pid: dead, token: 'test' }));
  expect((await cliIn(board, 'export', usb, '--node', X4)).code).toBe(0);
  expect(checkFeed(usb).resources).toBe(3);

  // Two admins at once, two selections into one new folder: one exports, the other is refused.
  const race = path.join(tmp, 'usb-race');
  const both = await Promise.all([cliIn(board, 'export', race, '--node', X3), cliIn(board, 'export', race, '--node', X4)]);
  expect(both.map((b) => b.code).sort()).toEqual([0, 1]);
  const lost = both.find((b) => b.code === 1)!;
  expect(lost.stderr).toMatch(/另一个导出正在写入|导出会替换掉它/);
  const won = both.find((b) => b.code === 0)!;
  expect(checkFeed(race).id).toBe(/资源库 id：(classboard\.export\.[0-9a-f]+)/.exec(won.stdout)?.[1]);
});
