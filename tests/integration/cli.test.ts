// The `classboard` command as an admin runs it: the built bin, a real data folder.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { cliIn, hubCli } from '../fixtures/cli';
import { writeBlobFeed } from '../fixtures/feeds';
import { startNginx } from '../fixtures/nginx';

let data: string;

async function cli(...args: string[]) {
  return cliIn(data, ...args);
}

beforeAll(() => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cli-'));
});
afterAll(() => fs.rmSync(data, { recursive: true, force: true }));

describe('classboard CLI', () => {
  it('prints help naming every command', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const c of ['hub', 'import', 'search', 'status']) expect(r.stdout).toContain(c);
  });

  it('imports the demo feed with its key and reports a JSON summary', async () => {
    const pub = JSON.parse(fs.readFileSync('assets/demo-feed.pub.json', 'utf8'));
    const r = await cli('--json', 'import', 'assets/demo-feed', '--key', `${pub.keyId}=${pub.publicKey}`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ feedId: 'cn.classboard.demo', outcome: 'applied' });
    expect(summary.resources).toBeGreaterThan(5);
  });

  it('searches with the same shape as library:search', async () => {
    const r = await cli('--json', 'search', '三角形', '--limit', '5');
    expect(r.code).toBe(0);
    const value = JSON.parse(r.stdout);
    expect(value.total).toBeGreaterThan(0);
    expect(value.results[0]).toMatchObject({ title: expect.stringContaining('三角形'), path: expect.arrayContaining(['数学']) });
    const human = await cli('search', '春');
    expect(human.stdout).toMatch(/共 \d+ 条/);
  });

  it('reports status: feeds, revision, counts and cached bytes', async () => {
    const r = await cli('--json', 'status');
    const s = JSON.parse(r.stdout);
    expect(s.feeds[0]).toMatchObject({ id: 'cn.classboard.demo', revision: expect.any(Number) });
    expect(s.cachedBytes).toBeGreaterThan(100_000);
  });

  it('imports a timetable from a spreadsheet CSV, finding lessons by title', async () => {
    const csv = path.join(data, 'kebiao.csv');
    fs.writeFileSync(csv, '星期,节次,开始,结束,班级,课程\n星期一,1,8:00,8:40,三（1）班,三角形的内角和（第一课时）\n星期一,2,8:55,9:35,三（1）班,\n');
    const r = await cli('--json', 'timetable', 'import', csv);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ saved: 2, kept: 0, unmatched: [], classes: [{ className: '三（1）班', saved: 2, replaced: 0 }], others: [], warnings: [] });
    // A row that is itself broken refuses the file, saying in Chinese what to write.
    fs.writeFileSync(csv, '星期,节次,开始,结束,班级,课程\n星期一,1,8点,8:40,三（2）班,\n');
    const bad = await cli('timetable', 'import', csv);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('课表第 2 行：开始时间“8点”无法识别，请写成 08:50 这样的 24 小时制');
  });

  it('imports a school timetable whose lesson cells name subjects, listing the periods left without a lesson', async () => {
    const csv = path.join(data, 'kebiao-subjects.csv');
    // As Excel saves it on a Chinese Windows (GB18030): 上午/下午 times, and a lesson cell with a full-width comma, unquoted.
    // 星期,节次,开始,结束,班级,课程 / 星期一,1,上午8:00,上午8:40,三（2）班,数学 / 星期一,2,8:55,9:35,三（2）班,三角形的内角和（第一课时）
    // 星期一,3,下午2:10,下午2:50,三（2）班,学习任务单 / 星期一,4,15:00,15:40,三（2）班,春天，你好
    fs.writeFileSync(
      csv,
      Buffer.from(
        'd0c7c6da2cbddab4ce2cbfaacabc2cbde1caf82cb0e0bcb62cbfceb3cc0d0ad0c7c6dad2bb2c312cc9cfcee7383a30302cc9cfcee7383a34302cc8fda3a832a3a9b0e02ccafdd1a70d0ad0c7c6dad2bb2c322c383a35352c393a33352cc8fda3a832a3a9b0e02cc8fdbdc7d0ceb5c4c4dabdc7bacda3a8b5dad2bbbfcecab1a3a90d0ad0c7c6dad2bb2c332ccfc2cee7323a31302ccfc2cee7323a35302cc8fda3a832a3a9b0e02cd1a7cfb0c8cecef1b5a50d0ad0c7c6dad2bb2c342c31353a30302c31353a34302cc8fda3a832a3a9b0e02cb4bacceca3acc4e3bac30d0a',
        'hex',
      ),
    );
    const human = await cli('timetable', 'import', csv);
    expect(human.stderr).toBe('');
    expect(human.code).toBe(0);
    const lines = human.stdout.trim().split('\n');
    expect(lines[0]).toBe('已导入课表：4 节课（三（2）班）；其中 3 节的课程没有对应到资源库里的课，先不带课程导入：');
    expect(lines[1]).toBe('  第 2 行“数学”：资源库里没有找到');
    expect(lines[2]).toMatch(/^  第 4 行“学习任务单”：有 \d+ 个同名资源$/);
    expect(lines[3]).toBe('  第 5 行“春天，你好”：资源库里没有找到');
    expect(lines[4]).toMatch(/资源 id/);
    const json = JSON.parse((await cli('--json', 'timetable', 'import', csv)).stdout);
    expect(json).toMatchObject({ saved: 4, unmatched: [{ line: 2, cell: '数学', matches: 0 }, { line: 4, cell: '学习任务单' }, { line: 5, cell: '春天，你好', matches: 0 }] });
    // Imported again naming a subject where a lesson was set: the period keeps it, and the admin is told.
    const again = path.join(data, 'kebiao-again.csv');
    fs.writeFileSync(again, '星期,节次,开始,结束,班级,课程\n星期一,2,8:55,9:35,三（2）班,数学\n');
    const kept = await cli('timetable', 'import', again);
    expect(kept.stdout.trim().split('\n')).toEqual([
      '已导入课表：1 节课（三（2）班）',
      '替换了三（2）班原有的 4 节课；其他班级的 2 节课未改动（三（1）班 2 节）',
      '保留了已选的 1 节课的课程（这些节次的课程一栏没有对应到课）',
    ]);
  });

  it('exports part of the tree to a folder that another classroom imports', async () => {
    const usb = path.join(data, 'usb');
    const r = await cli('--json', 'export', usb, '--node', 'cn.classboard.demo/xx-4', '--id', 'usb.shuxue');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ resources: 3, missing: 0, signed: false });
    const other = path.join(data, 'other');
    // Without --unsigned, the refusal says the stick is unsigned and how to take it (before: a bare signature error).
    const refused = await cliIn(other, 'import', usb);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/缺少签名 feed\.json\.sig，是未签名的资源库；如果这是老师自己导出的文件夹，并且你信任它，可以加 --unsigned 导入/);
    const imported = JSON.parse((await cliIn(other, '--json', 'import', usb, '--unsigned')).stdout);
    expect(imported).toMatchObject({ feedId: 'usb.shuxue', resources: 3, blobs: { rejected: 0, missing: 0 } });
    const found = JSON.parse((await cliIn(other, '--json', 'search', '三角形')).stdout);
    expect(found.results[0].path).toEqual(['小学', '四年级', '数学', '人教版', '四年级下册', '第五单元 三角形', '三角形的内角和']);
  });

  it('export names its feed id, one per selection, and leaves out lessons not downloaded yet', async () => {
    // The classroom that imported the stick above; its video of 三角形的内角和 is gone from the cache.
    const other = path.join(data, 'other');
    const db = new Database(path.join(other, 'library.db'), { readonly: true });
    const sha = db.prepare("SELECT f.sha256 FROM resource_files f JOIN resources r ON r.rid = f.rid WHERE r.title = '三角形的内角和（第一课时）' AND f.role = 'main'").pluck().get() as string;
    db.close();
    fs.rmSync(path.join(other, 'cache', 'blobs', sha.slice(0, 2), sha));
    const r = await cliIn(other, 'export', path.join(data, 'usb2'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/已导出 2 个资源/);
    const id = /资源库 id：(classboard\.export\.[0-9a-f]+)/.exec(r.stdout)?.[1];
    expect(id).toBeTruthy();
    expect(r.stdout).toMatch(/1 个资源尚未下载，未导出/);
    // The same selection again: the same feed, so the other classroom updates it.
    const again = JSON.parse((await cliIn(other, '--json', 'export', path.join(data, 'usb2'))).stdout);
    expect(again).toMatchObject({ id, resources: 2, leftOut: 1 });
  });

  it('verify takes a damaged cached file out of view', async () => {
    const s = JSON.parse((await cli('--json', 'status')).stdout);
    expect(s.cachedBlobs).toBeGreaterThan(3);
    const root = path.join(data, 'cache', 'blobs');
    const dir = fs.readdirSync(root).find((d) => /^[0-9a-f]{2}$/.test(d))!;
    const name = fs.readdirSync(path.join(root, dir))[0]!;
    fs.appendFileSync(path.join(root, dir, name), 'bit rot');
    const r = await cli('--json', 'verify');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ bad: [name], missing: [] });
    expect(fs.existsSync(path.join(root, dir, name))).toBe(false);
    expect((await cli('--json', 'verify')).code).toBe(0);
    // A file gone from disk: named apart, and no longer counted (before: 损坏 0 个, and status still counted it).
    const gone = fs
      .readdirSync(root)
      .filter((d) => /^[0-9a-f]{2}$/.test(d))
      .flatMap((d) => fs.readdirSync(path.join(root, d)).map((f) => path.join(root, d, f)))[0]!;
    fs.rmSync(gone);
    const human = await cli('verify');
    expect(human.code).toBe(2);
    expect(human.stdout).toMatch(/损坏 0 个，缺失 1 个，已移出/);
    expect(JSON.parse((await cli('--json', 'status')).stdout).cachedBlobs).toBe(s.cachedBlobs - 2);
    expect((await cli('--json', 'verify')).code).toBe(0);
  });

  it('keeps part of the textbook tree offline, shows sizes, and keeps the sync settings', async () => {
    const root = JSON.parse((await cli('--json', 'selection')).stdout);
    expect(root).toMatchObject({ everything: true });
    expect(root.totalBytes).toBeGreaterThan(1_000_000);
    const stage = root.nodes[0];
    const below = JSON.parse((await cli('--json', 'selection', stage.id)).stdout);
    const [first, ...rest] = below.nodes;
    expect(rest.length).toBeGreaterThan(0);
    // Kept: what was chosen, and the timetabled lessons (an earlier test imported a timetable) wherever they are.
    const always = (nodes: { alwaysBytes: number }[]) => nodes.reduce((a, n) => a + n.alwaysBytes, 0);
    const kept = JSON.parse((await cli('--json', 'keep', first.id)).stdout);
    expect(kept).toEqual({ everything: false, keptBytes: first.bytes + always(rest) });
    const after = JSON.parse((await cli('--json', 'selection', stage.id)).stdout);
    expect(after.nodes.map((n: { keep: string }) => n.keep)).toEqual(['all', ...rest.map(() => 'none')]);
    expect(JSON.parse((await cli('--json', 'selection')).stdout).nodes[0].keep).toBe('some');
    expect(JSON.parse((await cli('--json', 'unkeep', first.id)).stdout)).toEqual({ everything: false, keptBytes: always(below.nodes), downloadedBytes: expect.any(Number), notKept: [] });
    expect((await cli('keep', 'cn.classboard.demo/nope')).stderr).toMatch(/没有目录节点 cn\.classboard\.demo\/nope，classboard selection 可逐级查看/);

    const set = JSON.parse((await cli('--json', 'settings', '--rate', '2mbit', '--window', '21:30-06:00', '--quota', '50GB')).stdout);
    expect(set).toMatchObject({ nightRate: 250_000, window: '21:30-06:00', quotaBytes: 50 * 1024 ** 3, dayRate: 0 });
    expect((await cli('settings')).stdout).toMatch(/夜间时段 21:30-06:00（北京时间），夜间限速 2 Mbit\/s（约 250 KB\/s），白天 暂停/);
    // Slow caps in kbit/s, as the sync page shows them (before: 0.00 Mbit/s and 0.25 Mbit/s).
    const slow = await cli('settings', '--day-rate', '8kbit', '--rate', '250kbit');
    expect(slow.stdout).toMatch(/夜间限速 250 kbit\/s（约 31 KB\/s），白天 8 kbit\/s（约 1 KB\/s）/);
    expect((await cli('settings', '--rate', '2mbit', '--day-rate', '0')).code).toBe(0);
    expect((await cli('settings', '--window', '9pm')).code).not.toBe(0);
    // A window of no length, and a rate that would round to "no cap": refused, not taken the opposite way.
    expect((await cli('settings', '--window', '22:00-22:00')).stderr).toMatch(/same time/);
    expect((await cli('settings', '--rate', '1bit')).stderr).toMatch(/below 1 byte/);
    // A quota without a unit, or one too small to be meant, is refused (before: 100 bytes, and the next sync emptied the cache).
    const bare = await cli('settings', '--quota', '100');
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(/缺少单位/);
    expect((await cli('settings', '--quota', '50MB')).stderr).toMatch(/太小/);
    // And a quota can be removed (before: --quota 0 gave "sync:configure: quotaBytes: Too small", and there was no way).
    expect((await cli('settings', '--quota', '0')).stderr).toMatch(/--quota off/);
    // The one-off quota of a sync takes the same forms (before: no off, and 1MB was taken).
    expect((await cli('sync', '--quota', '100')).stderr).toMatch(/^classboard: --quota 大小 100 缺少单位/);
    expect((await cli('sync', '--quota', '50MB')).stderr).toMatch(/^classboard: --quota 缓存上限 50MB 太小（至少 100MB）/);
    // A folder with a feed of its own (a sync with nothing subscribed is refused).
    const pub = JSON.parse(fs.readFileSync('assets/demo-feed.pub.json', 'utf8'));
    expect((await cliIn(path.join(data, 'no-quota'), 'import', 'assets/demo-feed', '--key', `${pub.keyId}=${pub.publicKey}`)).code).toBe(0);
    const noQuota = await cliIn(path.join(data, 'no-quota'), '--json', 'sync', '--quota', 'off');
    expect(noQuota.stderr).toBe('');
    expect(JSON.parse(noQuota.stdout)).toMatchObject({ failed: [] });
    expect(JSON.parse((await cli('--json', 'settings')).stdout)).toMatchObject({ quotaBytes: 50 * 1024 ** 3 });
    for (const off of ['off', 'none']) {
      expect(JSON.parse((await cli('--json', 'settings', '--quota', '20GB')).stdout)).toMatchObject({ quotaBytes: 20 * 1024 ** 3 });
      expect(JSON.parse((await cli('--json', 'settings', '--quota', off)).stdout)).toMatchObject({ quotaBytes: null, window: '21:30-06:00' });
    }
    expect((await cli('settings')).stdout).toMatch(/缓存上限 不限/);
    expect((await cli('feeds', 'add', 'ftp://127.0.0.1/feed/')).stderr).toMatch(/http\(s\)/);
  });

  it('subscribes with feeds add, with mirrors for the files', async () => {
    const pub = JSON.parse(fs.readFileSync('assets/demo-feed.pub.json', 'utf8'));
    const bad = await cli('feeds', 'add', 'assets/demo-feed', '--key', `${pub.keyId}=${pub.publicKey}`, '--mirror', 'ftp://example/');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/镜像地址须为 http/);
    const r = await cli('--json', 'feeds', 'add', 'assets/demo-feed', '--key', `${pub.keyId}=${pub.publicKey}`, '--mirror', 'http://127.0.0.1:9/blobs/');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ feedId: 'cn.classboard.demo' });
    const db = new Database(path.join(data, 'library.db'), { readonly: true });
    expect(db.prepare('SELECT mirrors_json FROM feeds').pluck().get()).toBe('["http://127.0.0.1:9/blobs/"]');
    db.close();
  });

  it('lists and removes a subscription; its lessons leave the library and search', async () => {
    expect(JSON.parse((await cli('--json', 'feeds', 'list')).stdout)[0]).toMatchObject({ id: 'cn.classboard.demo' });
    expect(fs.existsSync(path.join(data, 'feeds', 'cn.classboard.demo', 'feed.json'))).toBe(true);
    expect((await cli('feeds', 'remove', 'cn.classboard.demo')).code).toBe(0);
    // Its kept index goes too: a hub would otherwise go on serving a feed it no longer holds.
    expect(fs.existsSync(path.join(data, 'feeds', 'cn.classboard.demo'))).toBe(false);
    expect(JSON.parse((await cli('--json', 'status')).stdout)).toMatchObject({ feeds: [], resources: 0 });
    expect(JSON.parse((await cli('--json', 'search', '三角形')).stdout)).toMatchObject({ total: 0 });
    expect((await cli('feeds', 'remove', 'cn.classboard.demo')).code).not.toBe(0);
  });

  it('puts errors on stderr with a non-zero exit', async () => {
    const missing = await cli('import', path.join(data, 'nope'));
    expect(missing.code).not.toBe(0);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/找不到资源文件夹|not found/);
    // A fresh library does not know the demo key unless told.
    const unsigned = await cliIn(path.join(data, 'fresh'), '--json', 'import', 'assets/demo-feed');
    expect(unsigned.code).not.toBe(0);
    expect(JSON.parse(unsigned.stderr)).toMatchObject({ ok: false, error: { code: 'refused' } });
    const badLimit = await cli('search', '春', '--limit', 'lots');
    expect(badLimit.code).not.toBe(0);
    // A path the admin mistyped is their input, not an internal failure (exit 70 and Node's words alone).
    const noKey = await cli('--json', 'export', path.join(data, 'out'), '--sign-key', path.join(data, 'no-such-key.json'));
    expect(noKey.code).toBe(1);
    expect(JSON.parse(noKey.stderr)).toMatchObject({ ok: false, error: { code: 'not-found', message: expect.stringMatching(/^找不到该文件或文件夹/) } });
    fs.writeFileSync(path.join(data, 'a-file'), '');
    expect((await cliIn(path.join(data, 'a-file'), 'status')).code).toBe(1);
  });
});

describe('argument mistakes', () => {
  it('are one sentence, Chinese then English, naming the flag and what it takes, exit 1', async () => {
    const keyFile = path.join(data, 'not-a-key.json');
    fs.writeFileSync(keyFile, '{oops');
    const cases: [string[], RegExp][] = [
      [['settings', '--window', '9pm'], /^--window 须写成 22:00-06:30 这样的“开始-结束”/],
      [['settings', '--rate', 'fast'], /^--rate 无法读取速率“fast”，请写成 2mbit、512kbit 或 1MB/],
      [['settings', '--rate', '500'], /^--rate 速率 500 缺少单位/],
      [['settings', '--day-rate', '100gbit'], /^--day-rate 速率 100gbit 超过可设的最大值/],
      [['settings', '--quota', '1KB'], /^--quota 缓存上限 1KB 太小/],
      [['settings', '--max-height', '50'], /^--max-height 须为 144 到 4320 之间的视频高度/],
      [['search', '春', '--offset', 'abc'], /^--offset 须为 0 或正整数/],
      [['search', '春', '--limit', 'lots'], /^--limit 须为正整数/],
      [['sync', '--concurrency', '0'], /^--concurrency 须为正整数/],
      [['hub', '--port', '80x'], /^--port 端口须为 0–65535 的整数/],
      [['settings', '--rat', '2mbit'], /^classboard settings 没有选项 --rat，是不是 --rate/],
      [['settings', '--rate'], /^--rate 后面缺少值/],
      [['search'], /^classboard search 缺少 <query>/],
      [['search', '三角形', '内角和'], /^classboard search 的参数多了，含空格的参数请加引号/],
      [['bogus'], /^没有命令 bogus/],
      [['export', path.join(data, 'k'), '--sign-key', keyFile], /^--sign-key .* 不是签名密钥文件/],
    ];
    for (const [args, said] of cases) {
      const r = await cli(...args);
      const what = args.join(' ');
      expect(r.code, what).toBe(1);
      // Before: commander's English and its help page, or the router's "sync:configure: maxHeight: Too small", "library:search: offset: …NaN".
      expect(r.stderr.split('\n').filter(Boolean), what).toHaveLength(1);
      const message = r.stderr.trim().replace(/^classboard: /, '');
      expect(message, what).toMatch(said);
      const [zh, en] = message.split(' / ');
      expect(zh, what).toMatch(/[\u4e00-\u9fff]/);
      expect(en, what).toMatch(/^[\x20-\x7e]+$/);
      expect(message, what).not.toMatch(/error:|Usage|NaN|sync:configure|library:search/);
    }
    const json = await cli('--json', 'settings', '--window', '25:00-06:00');
    expect(JSON.parse(json.stderr)).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringMatching(/^--window /) } });
    expect((await cli('--help')).code).toBe(0);
    expect((await cli('--version')).code).toBe(0);
  });

  it('--key names its form, ID=BASE64, and which part is wrong', async () => {
    const pub = JSON.parse(fs.readFileSync('assets/demo-feed.pub.json', 'utf8'));
    const dir = path.join(data, 'keys');
    // A bare key: its base64 padding was taken for the "=" (before: "an Ed25519 public key is 32 bytes; got 0").
    const bare = await cliIn(dir, 'import', 'assets/demo-feed', '--key', pub.publicKey);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(/--key 只给了公钥，缺少平台密钥ID，须写成 --key 平台密钥ID=BASE64公钥，例如 --key smartedu-2026=\S{44} \/ /);
    expect(bare.stderr).not.toMatch(/got 0/);
    expect((await cliIn(dir, 'import', 'assets/demo-feed', '--key', `=${pub.publicKey}`)).stderr).toMatch(/--key 缺少平台密钥ID（“=”前面的部分）/);
    expect((await cliIn(dir, 'import', 'assets/demo-feed', '--key', `${pub.keyId}=AAAA`)).stderr).toMatch(new RegExp(`--key ${pub.keyId.replace(/\./g, '\\.')} 的公钥应为 32 字节，这里是 3 字节`));
    expect((await cliIn(dir, 'import', 'assets/demo-feed', '--key', `${pub.keyId}=不是base64`)).stderr).toMatch(/的公钥不是 Base64/);
    expect((await cliIn(dir, '--json', 'import', 'assets/demo-feed', '--key', `${pub.keyId}=${pub.publicKey}`)).code).toBe(0);
  });
});

describe('a night the platform cannot be reached', () => {
  it('sync says so with a non-zero exit; the hub still starts, serving the catalog it holds', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cli-down-'));
    try {
      const never = await cliIn(dir, 'status');
      expect(never.code).toBe(0);
      expect(never.stdout).toMatch(/上次同步 \/ last sync: 还没有同步过/);
      const db = new Database(path.join(dir, 'library.db'));
      db.prepare("INSERT INTO feeds(id, title, source, keys_json) VALUES ('cn.test.down', '平台', 'http://127.0.0.1:9/feed/', '{}')").run();
      db.close();
      const r = await cliIn(dir, '--json', 'sync');
      expect(r.code).toBe(2); // before: 0, and cron saw a good night
      expect(JSON.parse(r.stdout).feeds).toEqual([expect.objectContaining({ id: 'cn.test.down', outcome: 'failed' })]);
      // The night is kept with the library: \`status\` from a shell says it (before: nothing about any sync).
      const after = await cliIn(dir, 'status');
      // The failure and why first (before: 下载 0 个文件（0 B），失败 0 个, as if nothing had gone wrong).
      expect(after.stdout).toMatch(/上次同步 \/ last sync: \d{4}\/\d{1,2}\/\d{1,2} \d{2}:\d{2}:\d{2}（北京时间）同步失败，目录没有更新：平台（cn\.test\.down）— .*127\.0\.0\.1:9.*；下载 0 个文件（0 B）/);
      expect(JSON.parse((await cliIn(dir, '--json', 'status')).stdout).lastSync).toMatchObject({ feeds: [{ id: 'cn.test.down', outcome: 'failed' }], finishedAt: expect.any(String) });

      const hub = await hubCli(dir, '--upstream', 'http://127.0.0.1:9/feed/');
      try {
        expect(hub.started, hub.stderr()).toBe(true); // before: exit 1, the school's hub down with the platform
        expect(hub.stderr()).toMatch(/无法连接上游/);
        expect((await fetch(`${hub.url}api/library:status`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(200);
      } finally {
        await hub.stop();
      }
      expect((await cliIn(dir, 'hub', '--port', '80x')).stderr).toMatch(/端口/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a hub whose upstream serves something it must refuse', () => {
  it('starts on the catalog it holds and says why in Chinese; holding nothing, it refuses with the reason', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cli-upstream-'));
    const www = path.join(dir, 'www', 'basic');
    const key = generateSigningKey('smartedu-2026');
    const publish = async (revision: number, second: number) => {
      await writeBlobFeed(www, { id: 'cn.smartedu.basic', title: '国家中小学智慧教育平台', revision, key, blobs: [Buffer.from(`第 ${revision} 版`)] });
      // nginx's ETag is mtime (in seconds) and size: each publication its own.
      const t = new Date(Date.UTC(2026, 10, 1, 0, 0, second));
      fs.utimesSync(path.join(www, 'feed.json'), t, t);
    };
    await publish(5, 1);
    const nginx = await startNginx(path.join(dir, 'www'));
    const upstream = ['--upstream', `${nginx.url}basic/`, '--key', `${key.keyId}=${key.publicKey}`];
    const data = path.join(dir, 'hub');
    try {
      const first = await hubCli(data, ...upstream);
      expect(first.started, first.stderr()).toBe(true);
      await first.stop();

      const faults: [string, () => Promise<void> | void, RegExp][] = [
        ['a stale CDN edge (an older revision, signed)', () => publish(4, 2), /低于已有版本 5，已拒绝回退/],
        ['a bad signature', () => fs.writeFileSync(path.join(www, 'feed.json.sig'), 'bm90IGEgc2lnbmF0dXJl'), /签名无效/],
        // Before: the page quoted as Latin-1 ("<!doctype html><title>ç³»ç»"…).
        ['a maintenance page', () => fs.writeFileSync(path.join(www, 'feed.json'), '<!doctype html><title>系统维护中</title>'), /不是资源库：服务器返回的是网页（HTML）“系统维护中” \/ not a feed/],
        ['a 404', () => fs.rmSync(path.join(www, 'feed.json')), /缺少 feed\.json/],
      ];
      for (const [what, fault, reason] of faults) {
        await fault();
        const hub = await hubCli(data, ...upstream);
        try {
          // Before: exit 1, and the school had no hub.
          expect(hub.started, `${what}: ${hub.stderr()}`).toBe(true);
          expect(hub.stderr(), what).toMatch(/上游的目录未被采用/);
          expect(hub.stderr(), what).toMatch(reason);
          expect(hub.stderr(), what).toMatch(/先提供已有的目录 cn\.smartedu\.basic（第 5 版）/);
          // It serves what it holds, to the board and to the classrooms.
          expect((await fetch(`${hub.url}feed/cn.smartedu.basic/feed.json`)).status, what).toBe(200);
        } finally {
          await hub.stop();
        }
      }

      // A first start, holding nothing of it: refused, with the reason.
      const fresh = await hubCli(path.join(dir, 'fresh'), ...upstream);
      if (fresh.started) await fresh.stop();
      expect(fresh.started).toBe(false);
      expect(fresh.code).toBe(1);
      expect(fresh.stderr()).toMatch(/缺少 feed\.json/);

      // An admin's wrong --key (the right key id, another key): the refusal is in the hub's
      // status and on its sync page, not only in its log; the right key clears it.
      await publish(6, 3);
      const other = generateSigningKey('smartedu-2026');
      const wrong = await hubCli(data, '--upstream', `${nginx.url}basic/`, '--key', `${other.keyId}=${other.publicKey}`);
      try {
        expect(wrong.started, wrong.stderr()).toBe(true);
        const status = await (await fetch(`${wrong.url}api/sync:status`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).json();
        expect(status.value.last.feeds).toEqual([expect.objectContaining({ id: 'cn.smartedu.basic', title: '国家中小学智慧教育平台', outcome: 'failed', error: expect.stringMatching(/签名无效/) })]);
      } finally {
        await wrong.stop();
      }
      expect((await cliIn(data, 'status')).stdout).toMatch(/目录没有更新：国家中小学智慧教育平台（cn\.smartedu\.basic）— .*签名无效/);
      const right = await hubCli(data, ...upstream);
      expect(right.started, right.stderr()).toBe(true);
      await right.stop();
      expect((await cliIn(data, 'status')).stdout).not.toMatch(/目录没有更新/);
    } finally {
      await nginx.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a port in use or a LAN address without --token is refused before any import', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cli-port-'));
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((busy.address() as net.AddressInfo).port);
      const taken = await cliIn(path.join(dir, 'a'), 'hub', '--port', port, '--no-schedule', '--upstream', 'http://127.0.0.1:9/feed/');
      expect(taken.code).toBe(1);
      expect(taken.stderr).toMatch(/端口 \d+ 已被占用：可能另一个中心服务已在运行/);
      const lan = await cliIn(path.join(dir, 'b'), 'hub', '--host', '0.0.0.0', '--port', '0', '--no-schedule');
      expect(lan.code).not.toBe(0);
      expect(lan.stderr).toMatch(/--token/);
      // Before: the demo library was imported (and the upstream asked) first.
      for (const d of ['a', 'b']) expect(JSON.parse((await cliIn(path.join(dir, d), '--json', 'status')).stdout).feeds, d).toEqual([]);
    } finally {
      busy.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a wrong --key for a feed already subscribed, its feed.json unchanged', () => {
  it('feeds add, import and hub --upstream refuse it and keep the trusted key; the next publication applies', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-cli-wrong-key-'));
    const www = path.join(dir, 'www', 'basic');
    const key = generateSigningKey('smartedu-2026');
    const other = generateSigningKey('smartedu-2026');
    const publish = async (revision: number) => {
      await writeBlobFeed(www, { id: 'cn.smartedu.basic', title: '国家中小学智慧教育平台', revision, key, blobs: [Buffer.from(`第 ${revision} 版`)] });
      // nginx's ETag is mtime (in seconds) and size: each publication its own.
      const t = new Date(Date.UTC(2026, 10, 1, 0, 0, revision));
      fs.utimesSync(path.join(www, 'feed.json'), t, t);
    };
    await publish(1);
    const nginx = await startNginx(path.join(dir, 'www'));
    const url = `${nginx.url}basic/`;
    const home = path.join(dir, 'classroom');
    const storedKeys = () => {
      const db = new Database(path.join(home, 'library.db'), { readonly: true });
      try {
        return JSON.parse(db.prepare("SELECT keys_json FROM feeds WHERE id = 'cn.smartedu.basic'").pluck().get() as string);
      } finally {
        db.close();
      }
    };
    try {
      expect((await cliIn(home, 'feeds', 'add', url, '--key', `${key.keyId}=${key.publicKey}`)).code).toBe(0);
      for (const command of ['feeds add', 'import']) {
        const before = (await nginx.settled()).length;
        const r = await cliIn(home, ...command.split(' '), url, '--key', `${other.keyId}=${other.publicKey}`);
        // Before: exit 0, 已订阅 … 第 1 版, and the wrong key saved.
        expect(r.code, command).toBe(1);
        expect(r.stdout, command).toBe('');
        expect(r.stderr, command).toMatch(/--key smartedu-2026 无法验证资源库 cn\.smartedu\.basic 的签名，未保存；请核对平台提供的公钥/);
        expect((await nginx.settled()).slice(before), command).toEqual([expect.stringMatching(/^304 GET \/basic\/feed\.json/)]);
        expect(storedKeys(), command).toEqual({ [key.keyId]: key.publicKey });
      }
      const hub = await hubCli(home, '--upstream', url, '--key', `${other.keyId}=${other.publicKey}`);
      try {
        // The school keeps its hub, on the catalog it holds, and the log names the key.
        expect(hub.started, hub.stderr()).toBe(true);
        expect(hub.stderr()).toMatch(/上游的目录未被采用：--key smartedu-2026 无法验证资源库/);
      } finally {
        await hub.stop();
      }
      expect(storedKeys()).toEqual({ [key.keyId]: key.publicKey });

      await publish(2);
      const night = await cliIn(home, '--json', 'import', url);
      expect(night.stderr).toBe('');
      expect(JSON.parse(night.stdout)).toMatchObject({ outcome: 'applied', revision: 2 });
    } finally {
      await nginx.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // Five commands and a hub, each its own process: beyond the default on a busy machine.
  }, 90_000);
});
