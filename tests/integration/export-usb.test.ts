// `classboard export` onto a USB stick too small for it, as a teacher meets it: the
// stick a real tmpfs (root only; CI runs as root), the board's library on another disk.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskFullError } from '../../main/api/errors';
import type { Services } from '../../main/services';
import { exportFeed } from '../../main/sync/export';
import { hubServices } from '../fixtures/services';
import { fillDisk, mountTmpfs, unmountTmpfs } from '../fixtures/tmpfs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-export-usb-'));
const small = path.join(tmp, 'usb-small');
const mid = path.join(tmp, 'usb-mid');
const cannotMount = mountTmpfs(small, '1m') ?? mountTmpfs(mid, '8m');
let board: Services;

beforeAll(async () => {
  board = hubServices(path.join(tmp, 'board'), 't');
  await board.ensureDemoLibrary();
});
afterAll(() => {
  board?.close();
  unmountTmpfs(small);
  unmountTmpfs(mid);
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Every file under `dir`, relative. */
const filesUnder = (dir: string) => (fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()) : []);
const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe.skipIf(cannotMount)(`export to a USB stick too small for it${cannotMount ? ` (skipped: ${cannotMount})` : ''}`, () => {
  it('is refused before anything is copied, naming the stick, what the export needs and what the stick has', async () => {
    const dir = path.join(small, 'lessons');
    const err = await exportFeed(board, dir, {}).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(new RegExp(`^U 盘（${small}）空间不足：需要 2\\.\\d MB，剩余 1(\\.0)? MB。.* / not enough space on the USB stick \\(${small}\\)`));
    expect(err?.message).not.toMatch(/数据文件夹|data folder/);
    // Nothing written: the stick is as the teacher brought it.
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('filled while copying, names the stick and its free space, leaves no catalog of missing files and continues when run again', async () => {
    const dir = path.join(mid, 'lessons');
    const filler = path.join(mid, 'filler');
    // The check passes; then another program takes all but ~1 MB before the first file is written
    // (the export checks synchronously, up to its first copy).
    const running = exportFeed(board, dir, {});
    fillDisk(filler);
    fs.truncateSync(filler, fs.statSync(filler).size - 1024 ** 2);
    const err = await running.then(
      () => null,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(DiskFullError);
    expect(err!.message).toMatch(new RegExp(`^U 盘（${mid}）已满（剩余 [^）]+）：${dir}。这次导出没有完成`));
    expect(err!.message).toContain(`the USB stick (${mid}) holding ${dir} is full`);
    expect(err!.message).not.toMatch(/数据文件夹|data folder/);
    // What is there is whole: no catalog, no half-written file, each file its own hash.
    const written = filesUnder(dir);
    expect(written).not.toContain('feed.json');
    expect(written.filter((f) => f.endsWith('.part'))).toEqual([]);
    const blobs = written.filter((f) => f.startsWith('blobs'));
    expect(blobs.length).toBeGreaterThan(0);
    for (const f of blobs) expect(sha256(path.join(dir, f))).toBe(path.basename(f));
    const inodes = new Map(blobs.map((f) => [f, fs.statSync(path.join(dir, f)).ino]));

    // Room again: the same export copies only the rest.
    fs.rmSync(filler);
    const done = await exportFeed(board, dir, {});
    for (const [f, ino] of inodes) expect(fs.statSync(path.join(dir, f)).ino).toBe(ino);
    const listed = JSON.parse(fs.readFileSync(path.join(dir, 'shards', 'export.json'), 'utf8')) as { resources: { files: { sha256: string }[] }[] };
    const shas = new Set(listed.resources.flatMap((r) => r.files.map((x) => x.sha256)));
    expect(shas.size).toBe(done.files);
    for (const sha of shas) expect(sha256(path.join(dir, 'blobs', sha.slice(0, 2), sha))).toBe(sha);
  });
});
