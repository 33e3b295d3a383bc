// `classboard`: the command line for IT admins and scripts. Every command works on
// one data folder (--data or CLASSBOARD_DATA); --json prints one JSON document.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import fs from 'node:fs';
import path from 'node:path';
import { AppError, DiskFullError, diskFullError, freeBytesAt, isDiskFull, isLibraryBusy, toApiError } from './api/errors';
import { notKeptLine, notKeptOnItsOwn } from './cli-unkeep';
import { downsizedLine, evictedLine, failureLines, namedLessons, verifyNextLines, type RunLimits } from './cli-failures';
import { exitCodes, helpConfiguration } from './cli-help';
import { importLines, listedPeriod, listLines } from './cli-timetable';
import { parseKeyArg } from './feed/keys';
import { startHub, type Hub } from './hub/server';
import { mirrorUpstream, pendingFeedRoute, retryUpstream, UPSTREAM_RETRY_MS } from './hub/upstream';
import { forgetHubUpstream, hubUpstreamOf, pulledToday } from './hub/upstream-record';
import { parseSize } from './cache/evict';
import { verifyCache } from './cache/verify';
import { syncAll, syncDiskFull as syncDiskFullAt } from './sync/engine';
import { SyncRunning, syncLockState, type SyncLockState } from './sync/pid-lock';
import { runningSync, whereStopped, type RunningSync, type StoppedRun } from './sync/live-sync';
import { gaveUpMessage } from './sync/dead-hosts';
import { catalogOnly, failureBreakdown, readLastSync, saveLastSync } from './sync/last-sync';
import { exportFeed, revisionText } from './sync/export';
import { createFeedMirror } from './sync/mirror';
import { FOLLOWS_WITHIN_S } from './sync/controller';
import { parseWindow } from './sync/scheduler';
import { parseRate } from './sync/token-bucket';
import { decodeCsv, formatBytes, isHttpUrl, MIN_QUOTA_BYTES, rateLabel, selectionOverQuota, SyncSettings, formatSchoolTime, type ImportSummary, type LastSync, type SyncSummary } from '../preload/contract';
import { libraryRecovery, openedOnFullDisk } from './library/db';
import { createServices, type Services } from './services';
import { appRoot, defaultDataDir } from './util/paths';

type Globals = { data?: string; json?: boolean };

const root = appRoot(import.meta.url);
const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * A flag's value is refused with one sentence, Chinese then English ("中文 / English"),
 * that says what it takes; applyArgumentRules (below) names the flag in front of it.
 */
const refuse = (zh: string, en: string) => new InvalidArgumentError(`${zh} / ${en}`);

function positiveInt(v: string): number {
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || n < 1) throw refuse(`须为正整数，例如 3（收到“${v}”）`, `takes a whole number from 1, e.g. 3 (got "${v}")`);
  return n;
}

function wholeNumber(v: string): number {
  if (!/^\s*\d+\s*$/.test(v)) throw refuse(`须为 0 或正整数，例如 20（收到“${v}”）`, `takes a whole number from 0, e.g. 20 (got "${v}")`);
  return Number(v);
}

/** The highest video rendition, within what the settings take (144p to 4320p). */
function heightArg(v: string): number {
  const { minValue: min, maxValue: max } = SyncSettings.shape.maxHeight;
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || n < min! || n > max!) {
    throw refuse(`须为 ${min} 到 ${max} 之间的视频高度，例如 720 或 1080（收到“${v}”）`, `takes a video height from ${min} to ${max}, e.g. 720 or 1080 (got "${v}")`);
  }
  return n;
}

function portArg(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n > 65535) throw refuse(`端口须为 0–65535 的整数（收到“${v}”）`, `a port is a whole number from 0 to 65535 (got "${v}")`);
  return n;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function out(g: Globals, value: unknown, human: () => string): void {
  process.stdout.write(g.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

const dataDirOf = (g: Globals) => path.resolve(g.data ?? defaultDataDir());

/** A command's failure on stderr: one line, or with --json one document. */
function printError(g: Globals, err: unknown): ReturnType<typeof toApiError> {
  // A full disk, whatever refused the write (SQLite, a file): said with the data folder and its free space.
  const e = toApiError(!(err instanceof DiskFullError) && isDiskFull(err, dataDirOf(g)) ? diskFullError(dataDirOf(g)) : err);
  if (g.json) process.stderr.write(`${JSON.stringify({ ok: false, error: e })}\n`);
  else process.stderr.write(`classboard: ${e.message}\n`);
  return e;
}

/** A sync the disk stopped, or could not start: what the admin does next (the sync page's 立即同步 says the same). */
const syncDiskFull = (g: Globals) => syncDiskFullAt(dataDirOf(g));

/** The numbers a run's failures for space are said with, read after it: the cache's size, the disk's free space. */
function limitsAfter(services: Services, quotaBytes: number | undefined, floorBytes: number): RunLimits {
  const size = services.db.prepare('SELECT size FROM resource_files WHERE sha256 = ? LIMIT 1').pluck();
  return { quotaBytes, floorBytes, usedBytes: services.blobs.totals().bytes, freeBytes: freeBytesAt(services.blobs.root), sizeOf: (sha) => size.get(sha) as number | undefined };
}

function open(g: Globals, host: 'hub' | 'electron' = 'hub', warmAtStart = false): Services {
  return createServices({
    dataDir: dataDirOf(g),
    host,
    warmAtStart,
    mediaBase: '/media/',
    assetsDir: path.join(root, 'assets'),
    version,
    log: (m) => process.stderr.write(`${m}\n`),
  });
}

/**
 * A rate in bits, as 带宽 is sold (2M is 2 Mbit/s), with its bytes beside it: --rate 2MB
 * (16 Mbit/s) and 2mb (2 Mbit/s) differ eightfold, and the slip shows here.
 */
const rateText = (r: number | null) => (r === null ? '不限速' : r === 0 ? '暂停' : `${rateLabel(r)}（约 ${bytesPerSecond(r)}）`);

/** Bytes per second in the decimal units the rate flags take (1MB = 1,000,000 bytes), two significant digits. */
function bytesPerSecond(r: number): string {
  const [n, unit] = r >= 1e9 ? [r / 1e9, 'GB'] : r >= 1e6 ? [r / 1e6, 'MB'] : r >= 1e3 ? [r / 1e3, 'KB'] : [r, 'B'];
  return `${n >= 100 ? Math.round(n) : Number(n.toPrecision(2))} ${unit}/s`;
}

function sizeArg(v: string): number {
  try {
    return parseSize(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}


/**
 * A cache quota, for `settings` and a one-off `sync` alike: a size with a unit, at
 * least 100MB; `off` or `none` for no quota (commander would take a null for no value).
 */
function quotaArg(v: string): number | 'off' {
  if (/^\s*(off|none)\s*$/i.test(v)) return 'off';
  const bytes = sizeArg(v);
  if (bytes < MIN_QUOTA_BYTES) {
    throw refuse(`缓存上限 ${v.trim()} 太小（至少 100MB），多半是输错了；要取消上限请用 --quota off`, `a quota under 100MB is surely a mistake; --quota off removes it`);
  }
  return bytes;
}

const RATE_FORM = ['请写成 2mbit、512kbit 或 1MB 这样带单位的速率，0 表示夜间不限速、白天暂停', 'write e.g. 2mbit, 512kbit or 1MB; 0 means no cap at night, a pause by day'];

function rateArg(v: string): number {
  if (/^\s*(0|off|pause)\s*$/i.test(v)) return 0;
  // A bare number would be bits per second: "--rate 500" is a slip for 500kbit, not 62 bytes a second.
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) throw refuse(`速率 ${v.trim()} 缺少单位，${RATE_FORM[0]}`, `a rate needs a unit: ${RATE_FORM[1]}`);
  let bytes: number;
  try {
    bytes = Math.round(parseRate(v));
  } catch {
    throw refuse(`无法读取速率“${v}”，${RATE_FORM[0]}`, `cannot read rate "${v}": ${RATE_FORM[1]}`);
  }
  // Rounded to 0 it would mean "no cap" (or "paused" by day), the opposite of what was asked.
  if (bytes < 1) throw refuse(`速率 ${v.trim()} 低于每秒 1 字节；${RATE_FORM[0]}`, `rate ${v.trim()} is below 1 byte per second; ${RATE_FORM[1]}`);
  const max = SyncSettings.shape.dayRate.maxValue!;
  if (bytes > max) {
    const most = `${Math.floor((max * 8) / 1e9)} Gbit/s`;
    throw refuse(`速率 ${v.trim()} 超过可设的最大值（约 ${most}）；不限速请写 0`, `rate ${v.trim()} is above the most that can be set (about ${most}); 0 means no cap`);
  }
  return bytes;
}

function windowArg(v: string): string {
  const form = /^\s*\d\d:\d\d-\d\d:\d\d\s*$/.test(v);
  try {
    const w = parseWindow(v);
    return `${w.start}-${w.end}`;
  } catch {
    if (form && v.trim().slice(0, 5) === v.trim().slice(6)) {
      throw refuse(`同步时段 ${v.trim()} 的开始和结束不能相同`, `the window ${v.trim()} must not start and end at the same time`);
    }
    throw refuse(`须写成 22:00-06:30 这样的“开始-结束”（北京时间，24 小时制），收到“${v}”`, `takes from-to in school time, e.g. 22:00-06:30 (got "${v}")`);
  }
}

/** A signing key file as `classboard export --sign-key` takes it: JSON {keyId, privateKey}. */
function signKeyArg(file: string): { keyId: string; privateKey: string } {
  const text = fs.readFileSync(file, 'utf8'); // a missing file is named by toApiError, as any path
  type KeyFile = { keyId?: unknown; privateKey?: unknown } | null;
  let key: KeyFile = null;
  try {
    key = JSON.parse(text) as KeyFile;
  } catch {
    // refused below
  }
  if (typeof key?.keyId !== 'string' || typeof key.privateKey !== 'string') {
    throw refuse(`${file} 不是签名密钥文件：须为 JSON {"keyId": …, "privateKey": …}`, `${file} is not a signing key: JSON {"keyId", "privateKey"} expected`);
  }
  return { keyId: key.keyId, privateKey: key.privateKey };
}

/** `classboard settings`, `classboard timetable import`: how a command is named to the admin. */
const commandPath = (cmd: Command): string => (cmd.parent ? `${commandPath(cmd.parent)} ${cmd.name()}` : cmd.name());

/** Commander's own refusals (an unknown flag, a missing value), in the same one sentence. */
function commanderProblem(err: CommanderError, cmd: string): AppError {
  const m = err.message.replace(/^error: /, '');
  const hint = `（用法见 ${cmd} --help）`;
  const said = (zh: string, en: string) => new AppError('bad-request', `${zh}${hint} / ${en}; see ${cmd} --help`);
  const quoted = /'([^']+)'/.exec(m)?.[1] ?? '';
  const guess = /Did you mean (.+?)\?/.exec(m)?.[1];
  switch (err.code) {
    case 'commander.unknownOption':
      return said(`${cmd} 没有选项 ${quoted}${guess ? `，是不是 ${guess}` : ''}`, `${cmd} has no option ${quoted}${guess ? ` (did you mean ${guess}?)` : ''}`);
    case 'commander.unknownCommand':
      return said(`没有命令 ${quoted}${guess ? `，是不是 ${guess}` : ''}`, `no command ${quoted}${guess ? ` (did you mean ${guess}?)` : ''}`);
    case 'commander.missingArgument':
      return said(`${cmd} 缺少 <${quoted}>`, `${cmd} needs <${quoted}>`);
    case 'commander.optionMissingArgument':
      return said(`${quoted.split(' ')[0]} 后面缺少值，须写成 ${quoted}`, `${quoted} needs a value`);
    case 'commander.excessArguments':
      return said(`${cmd} 的参数多了，含空格的参数请加引号`, `too many arguments for ${cmd}; quote one with spaces`);
    default:
      return said(m, m);
  }
}

/**
 * The one place an argument mistake becomes a message: every flag's refusal is
 * prefixed with the flag ("--rate：无法读取速率… / --rate: cannot read…"), and
 * commander's own refusals are put in words, without its English help dump. Both
 * reach main() as an AppError (exit 1); --help and --version pass through.
 */
function applyArgumentRules(cmd: Command): void {
  const name = commandPath(cmd);
  cmd.configureOutput({ outputError: () => {} });
  cmd.configureHelp(helpConfiguration);
  cmd.exitOverride((err) => {
    if (err.exitCode === 0 || err.code === 'commander.help' || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') throw err;
    throw commanderProblem(err, name);
  });
  for (const option of cmd.options) {
    const parse = option.parseArg;
    if (!parse) continue;
    const flag = option.long ?? option.flags;
    option.parseArg = <T>(value: string, previous: T): T => {
      try {
        return parse(value, previous);
      } catch (err) {
        if (!(err instanceof InvalidArgumentError)) throw err;
        const [zh, en = zh] = err.message.split(' / ');
        throw new AppError('bad-request', `${flag} ${zh} / ${flag}: ${en}`);
      }
    };
  }
  for (const sub of cmd.commands) applyArgumentRules(sub);
}

/** Sync settings a command's flags name, for `sync:configure`. */
function settingsFrom(o: { window?: string; rate?: number; dayRate?: number; maxHeight?: number; quota?: number | 'off'; floor?: number }): Partial<SyncSettings> {
  const patch: Partial<SyncSettings> = {};
  if (o.window !== undefined) patch.window = o.window;
  if (o.rate !== undefined) patch.nightRate = o.rate === 0 ? null : o.rate;
  if (o.dayRate !== undefined) patch.dayRate = o.dayRate;
  if (o.maxHeight !== undefined) patch.maxHeight = o.maxHeight;
  // No quota is null, as the sync page sends it.
  if (o.quota !== undefined) patch.quotaBytes = o.quota === 'off' ? null : o.quota;
  if (o.floor !== undefined) patch.floorBytes = o.floor;
  return patch;
}

/** The sync settings, as `settings` and `status` print them. */
function settingsLines(v: SyncSettings): string[] {
  return [
    `夜间时段 ${v.window}（北京时间），夜间限速 ${rateText(v.nightRate)}，白天 ${rateText(v.dayRate)}`,
    `清晰度上限 ${v.maxHeight}p；缓存上限 ${v.quotaBytes === null ? '不限' : formatBytes(v.quotaBytes)}；保留磁盘空间 ${formatBytes(v.floorBytes)}`,
  ];
}

/** A span as `status` says it: 45 秒, 12 分钟, 3 小时 12 分. */
function spanText(s: number): { zh: string; en: string } {
  if (s < 60) return { zh: `${s} 秒`, en: `${s} s` };
  if (s < 3600) return { zh: `${Math.round(s / 60)} 分钟`, en: `${Math.round(s / 60)} min` };
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return { zh: `${h} 小时${m ? ` ${m} 分` : ''}`, en: `${h} h${m ? ` ${m} min` : ''}` };
}

/** How far a sync running in another process has got (its file beside the lock): the stage, files and bytes, rate, time left, a server it waits for. */
function runningLines(r: RunningSync): string[] {
  if (r.stage === 'catalog') {
    const feed = r.feed;
    return [feed ? `  正在检查目录：${feed.title}（${feed.id}），第 ${feed.index}/${feed.of} 个 / checking the catalog of ${feed.id} (${feed.index} of ${feed.of})` : '  正在开始 / starting'];
  }
  if (r.stage === 'plan') return ['  目录已检查，正在计算要下载的文件 / catalogs checked, planning the files to fetch'];
  const failed = r.failed > 0 ? `（失败 ${r.failed} 个）` : '';
  const failedEn = r.failed > 0 ? ` (${r.failed} failed)` : '';
  const eta = r.etaSeconds === null ? null : spanText(r.etaSeconds);
  const until = r.etaSeconds === null ? '' : formatSchoolTime(new Date(Date.now() + r.etaSeconds * 1000), { hour: '2-digit', minute: '2-digit' });
  const lines = [
    `  文件 ${r.files}/${r.totalFiles}${failed}，${formatBytes(r.bytes)} / ${formatBytes(r.totalBytes)}，速度 ${formatBytes(r.rate)}/s${eta ? `，预计还需 ${eta.zh}（约 ${until} 完成）` : ''}` +
      ` / files ${r.files} of ${r.totalFiles}${failedEn}, ${formatBytes(r.bytes)} of ${formatBytes(r.totalBytes)}, ${formatBytes(r.rate)}/s${eta ? `, about ${eta.en} left` : ''}`,
  ];
  const t = r.trouble;
  if (r.waitingFor) {
    const w = r.waitingFor;
    const waited = spanText(Math.max(0, Math.round((Date.now() - Date.parse(w.since)) / 1000)));
    const upTo = spanText(w.upToSeconds);
    lines.push(`  等待 ${w.host} 恢复：已等 ${waited.zh}，最多等 ${upTo.zh}，它一有响应就接着下载 / waiting for ${w.host} to answer: ${waited.en} so far, up to ${upTo.en}; downloads resume as soon as it does`);
  } else if (t) lines.push(t.gaveUp ? `  ${t.error}` : `  ${t.host} 出错，正在重试 / ${t.host} failed, trying again: ${t.error}`);
  return lines;
}

/** A sync under way (perhaps paused by day), or one killed mid-run, as `status` says it: read from the data folder's sync lock and the run's progress beside it. */
function syncLockLines(lock: SyncLockState, running: RunningSync | null, stopped: StoppedRun | null): string[] {
  const pid = lock.pid === null ? '' : `（进程 ${lock.pid}）`;
  const pidEn = lock.pid === null ? '' : ` (process ${lock.pid})`;
  if (lock.running) {
    return [lock.paused ? `同步已暂停（白天）${pid} / a sync is paused for the day${pidEn}` : `同步进行中${pid} / a sync is running${pidEn}`, ...(running ? runningLines(running) : [])];
  }
  if (!lock.interruptedAt) return [];
  const who = lock.pid === null ? '' : lock.exited ? `（进程 ${lock.pid} 已退出）` : `（进程 ${lock.pid} 已不在同步）`;
  const whoEn = lock.pid === null ? '' : lock.exited ? ` (process ${lock.pid} has exited)` : ` (process ${lock.pid} is no longer syncing)`;
  return [
    `上次同步在 ${formatSchoolTime(lock.interruptedAt)}（北京时间）被中断${who}，下次同步会接着下载 / the last sync was interrupted${whoEn}: the next one carries on with its downloads`,
    ...(stopped ? [stoppedLine(stopped)] : []),
  ];
}

/**
 * What a killed run's files are now: verified in the cache, or left for the next sync
 * (with what of them is kept in .part files). Before, its last progress was printed as
 * 已完成, counting bytes in flight and failed files as done.
 */
function stoppedLine(s: StoppedRun): string {
  const head = `  那次同步共要下载 ${s.totalFiles} 个文件（${formatBytes(s.totalBytes)}）`;
  const headEn = ` / that sync was to fetch ${s.totalFiles} files (${formatBytes(s.totalBytes)})`;
  if (s.leftFiles === 0) return `${head}，现在都已在缓存中并校验过${headEn}: all of them are in the cache now, verified`;
  const part = s.partialBytes > 0 ? `，其中 ${s.partialFiles} 个已下载的部分（共 ${formatBytes(s.partialBytes)}）已保留，下次同步从断点接着下载` : '';
  const partEn = s.partialBytes > 0 ? `, of which ${s.partialFiles} partly came (${formatBytes(s.partialBytes)}, kept for the next sync to resume)` : '';
  return (
    `${head}：现在已在缓存中并校验过的 ${s.cachedFiles} 个（${formatBytes(s.cachedBytes)}），还差 ${s.leftFiles} 个（${formatBytes(s.leftBytes)}）${part}` +
    `${headEn}: in the cache now, verified: ${s.cachedFiles} (${formatBytes(s.cachedBytes)}); left: ${s.leftFiles} (${formatBytes(s.leftBytes)})${partEn}`
  );
}

/** Catalogs a run could not check: a failed night whatever its files did (the hub's checks at its start are dated on their own). */
const failedInRun = (last: LastSync) => last.feeds.filter((f) => f.outcome === 'failed' && !f.checkedAt);

/** A run as `status` says it: a catalog it could not check first, with why (before: 下载 0 个文件（0 B），失败 0 个 led), then the files. */
function runLine(last: LastSync): string {
  const why = failureBreakdown(last.failed);
  const at = `${formatSchoolTime(last.finishedAt)}（北京时间）`;
  const files = `下载 ${last.downloaded.files} 个文件（${formatBytes(last.downloaded.bytes)}）`;
  const catalogs = failedInRun(last);
  if (catalogs.length === 0) return `${at}${files}，失败 ${last.failed.length} 个${why ? `：${why}` : ''}`;
  const [one] = catalogs;
  const head = catalogs.length === 1 ? `目录没有更新：${one!.title}（${one!.id}）— ${one!.error ?? ''}` : `${catalogs.length} 个资源库的目录没有更新（见下）`;
  return `${at}同步失败，${head}；${files}${last.failed.length > 0 ? `，另有 ${last.failed.length} 个文件失败${why ? `：${why}` : ''}` : ''}`;
}

/** The last sync as `status` prints it: when (school time), what came, what failed and why; `completed` beside a run under way or interrupted. */
function lastSyncLines(last: LastSync | null, completed = false): string[] {
  const label = completed ? '上次完成的同步 / last completed sync' : '上次同步 / last sync';
  if (!last) return [`${label}: 还没有同步过 / never`];
  // Catalogs the hub took outside a run (at its start): the latest sync, above the run of files they follow.
  const taken = last.feeds
    .filter((f) => f.checkedAt && f.outcome !== 'failed')
    .map((f) => `${formatSchoolTime(f.checkedAt!)}（北京时间）中心服务同步了目录：${f.title}（${f.id}）第 ${f.revision} 版 / the hub took revision ${f.revision} of ${f.id}'s catalog`);
  const run = runLine(last);
  return [
    ...(taken.length > 0 ? [`上次同步 / last sync: ${taken[0]}`, ...taken.slice(1).map((t) => `  ${t}`)] : []),
    ...(catalogOnly(last)
      ? taken.length > 0
        ? []
        : [`${label}: 还没有下载过文件，只检查过目录 / no files synced yet, only the catalog checked`]
      : [`${taken.length > 0 && !completed ? '上次下载文件的同步 / last file sync' : label}: ${run}`, ...(last.downsized ? [`  ${downsizedLine(last.downsized)}`] : []), ...(last.evicted ? [`  ${evictedLine(last.evicted)}`] : [])]),
    ...last.feeds
      // A run's one failed catalog is said in its line already.
      .filter((f) => f.outcome === 'failed' && (f.checkedAt !== undefined || failedInRun(last).length > 1))
      .map((f) => `  ${f.checkedAt ? `${formatSchoolTime(f.checkedAt)} 中心服务启动时检查，` : ''}目录没有更新：${f.title}（${f.id}）— ${f.error ?? ''}`),
  ];
}

export function buildCli(): Command {
  const program = new Command();
  /** Runs one command against the library, always closing it (commands are short-lived). */
  const withServices = async (fn: (services: Services, g: Globals) => Promise<void> | void): Promise<void> => {
    const g = program.opts<Globals>();
    const services = open(g);
    try {
      await fn(services, g);
    } finally {
      services.close();
    }
  };
  program
    .name('classboard')
    .description('Classboard 课堂智慧黑板教学端：资源库、同步与学校中心服务 / the smart-board teaching client')
    .version(version, '-V, --version', '显示版本号 / output the version number')
    .helpOption('-h, --help', '显示帮助 / display help for command')
    .helpCommand('help [command]', '显示某个命令的帮助 / display help for command')
    .option('--data <dir>', '资料目录（也可用环境变量 CLASSBOARD_DATA） / data folder (env CLASSBOARD_DATA)')
    .option('--json', '以一个 JSON 文档输出结果 / print one JSON document on stdout');

  program
    .command('hub')
    .description('学校中心服务：通过 HTTP 提供教学界面和资料库 / serve the teaching UI and the library over HTTP (the school hub)')
    .option('--host <host>', '监听地址（本机以外的地址须同时给 --token） / address to bind (a non-loopback address needs --token)', '127.0.0.1')
    .option('--port <port>', '端口（0：任选一个空闲端口） / port (0: any free one)', portArg, 8080)
    .option('--token <token>', '访问接口须凭的令牌（Authorization: Bearer，或打开 /?token=…） / token the API requires (Authorization: Bearer, or open /?token=...)')
    .option('--upstream <url>', "为全校教室镜像平台的一个资源库，地址为 /feed/<id>/ / mirror a platform feed for the school's classrooms at /feed/<id>/")
    .option('--key <id=base64>', '信任 --upstream 的这个发布者公钥（可重复） / trust this publisher key for --upstream (repeatable)', collect, [] as string[])
    .option('--unsigned', '接受未签名的 --upstream 资源库 / accept an unsigned --upstream feed')
    .option('--window <from-to>', '夜间同步时段，北京时间，如 22:00-06:30（保存到设置） / nightly sync window, school time (Asia/Shanghai), e.g. 22:00-06:30 (kept in the settings)', windowArg)
    .option('--rate <rate>', '夜间限速，如 2mbit；0 为不限（保存到设置） / night download cap, e.g. 2mbit; 0 for none (kept in the settings)', rateArg)
    .option('--day-rate <rate>', '白天限速，如 256kbit；0 为白天暂停（保存到设置） / daytime trickle, e.g. 256kbit; 0 pauses by day (kept in the settings)', rateArg)
    .option('--no-schedule', '夜间不自动同步（测试用，或只提供服务的中心服务） / do not sync at night (tests, a hub that only serves)')
    // Hidden, for tests: the first wait (ms) before an unreachable upstream the hub holds no catalog of is asked again (default 1 min).
    .addOption(new Option('--upstream-retry <ms>', '连不上上游时第一次重试前等待的毫秒数（测试用） / first retry of an unreachable upstream, in ms (tests)').argParser(positiveInt).hideHelp())
    .action(async (o: { host: string; port: number; token?: string; upstream?: string; key: string[]; unsigned?: boolean; window?: string; rate?: number; dayRate?: number; schedule: boolean; upstreamRetry?: number }) => {
      const g = program.opts<Globals>();
      const keys = Object.fromEntries(o.key.map(parseKeyArg));
      const log = (m: string) => process.stderr.write(`${m}\n`);
      const services = open(g, 'hub', true);
      let hub: Hub;
      let retry: ReturnType<typeof retryUpstream> | null = null;
      // Until the first check of the upstream ends, a feed the hub does not hold yet may be on its way.
      let importing = Boolean(o.upstream);
      try {
        services.sync.configure(settingsFrom(o));
        // Bound first: a port in use or a LAN address without --token is refused at once, not after the imports.
        hub = await startHub(services, {
          host: o.host,
          port: o.port,
          token: o.token,
          rendererDir: path.join(root, 'out', 'renderer'),
          routes: [pendingFeedRoute(services, createFeedMirror(services, { log }), () => retry?.next() ?? (importing ? 'importing' : null))],
          log,
        });
      } catch (err) {
        services.close();
        throw (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? portInUse(o.port) : err;
      }
      try {
        await services.ensureDemoLibrary();
        const down = o.upstream ? await mirrorUpstream(services, o.upstream, { unsigned: o.unsigned, keys, scheduled: o.schedule }, log).finally(() => (importing = false)) : null;
        if (down) retry = retryUpstream(services, o.upstream!, { unsigned: o.unsigned, keys }, log, down, o.upstreamRetry ?? UPSTREAM_RETRY_MS);
      } catch (err) {
        await hub.close();
        services.close();
        throw err;
      }
      // Every night in the window: the catalogs again, then the files the school keeps.
      if (o.schedule) services.sync.start();
      out(g, { url: hub.url, port: hub.port, dataDir: services.dataDir }, () => `Classboard 中心服务已启动 / hub listening on ${hub.url}`);
      const stop = async () => {
        retry?.stop();
        await hub.close();
        services.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  program
    .command('import <source>')
    .description('把资源库文件夹（U 盘、下载的资源库）导入资料库 / import a feed folder (a USB stick, a downloaded feed) into the library')
    .option('--unsigned', '接受没有签名的资源库（自己的文件夹） / accept a feed without a signature (your own folder)')
    .option('--key <id=base64>', '信任这个发布者公钥（可重复） / trust this publisher key (repeatable)', collect, [] as string[])
    .action(async (source: string, o: { unsigned?: boolean; key: string[] }) => {
      await withServices(async (services, g) => {
      const tty = process.stderr.isTTY && !g.json;
      const summary = await services.importFeed(source, {
        unsigned: o.unsigned,
        keys: Object.fromEntries(o.key.map(parseKeyArg)),
        room: roomOf(services),
        onProgress: (p) => {
          if (tty && p.total > 0) process.stderr.write(`\r${p.phase} ${p.done}/${p.total}   `);
        },
      });
      if (tty) process.stderr.write('\r\x1b[K');
      out(g, summary, () =>
        summary.fromExport ? [...filledLines(summary), ...foldedLines(summary)].join('\n') : [
          `已导入 ${summary.title}（${summary.feedId}）${revisionText(summary.feedId, summary.revision)}：${summary.resources} 个资源`,
          `  新增 ${summary.added}，更新 ${summary.updated}，移除 ${summary.removed}`,
          isHttpUrl(source)
            ? '  文件将在夜间同步时下载（classboard sync --now 立即下载）'
            : `  文件：复制 ${summary.blobs.copied}（${formatBytes(summary.blobs.bytes)}），已有 ${summary.blobs.present}，源中缺少 ${summary.blobs.missing}，校验失败 ${summary.blobs.rejected}`,
          ...incompleteLines(summary.blobs),
          ...foldedLines(summary),
          `  用时 ${summary.durationMs} ms`,
        ].join('\n'),
      );
      });
    });

  program
    .command('sync')
    .description('立即同步所有已订阅的资源库：先目录，再本教室需要的文件 / sync every subscribed feed now: catalog, then the files this classroom needs')
    .option('--now', '立即运行（命令行本来就是立即运行） / run at once (the default for the command line)')
    .option('--rate <rate>', '限制下载速率，如 2mbit、512kbit、1MB（默认：设置中的夜间限速） / cap the download rate, e.g. 2mbit, 512kbit, 1MB (default: the night rate in the settings)', rateArg)
    .option('--concurrency <n>', '同时下载的文件数 / files at once', positiveInt, 3)
    .option('--max-height <px>', '保留的最高视频清晰度，如 720（默认：设置中的值） / highest video rendition to keep, e.g. 720 (default: the settings)', heightArg)
    .option('--quota <size>', '本次缓存最多占用，如 200GB（至少 100MB；先清理最久没用的课程，课表和收藏中的从不清理）；off（或 none）：本次不限 / most the cache may hold this run, e.g. 200GB (at least 100MB; least recently used lessons make room, timetable and favourites never); off (or none): no quota this run', quotaArg)
    .option('--floor <size>', '须保留的磁盘空间，如 5GB / free disk space to keep, e.g. 5GB', sizeArg)
    // Hidden, for tests: how long the run waits for a server that stopped answering before its files fail (default 2 minutes).
    .addOption(new Option('--host-wait <ms>', '等待连不上的服务器恢复的毫秒数（测试用） / how long to wait for a server that stopped answering, in ms (tests)').argParser(positiveInt).hideHelp())
    .addHelpText(
      'after',
      exitCodes([
        ['0', '完成', 'done'],
        ['2', '有文件或目录没有同步成功', 'a file or a catalog failed'],
        ['3', '另一个同步正占用此资料目录，或另一个程序正占用资料库（什么也没做）', 'another sync holds this data folder, or another program the library (nothing done)'],
        ['1', '参数有误、资料目录被拒绝，或没有订阅资源库', 'a mistake in the arguments, a refused folder, or no feed subscribed'],
        ['70', '内部错误', 'an internal fault'],
      ]),
    )
    .action(async (o: { rate?: number; concurrency: number; maxHeight?: number; quota?: number | 'off'; floor?: number; hostWait?: number }) => {
      const g = program.opts<Globals>();
      try {
        await withServices(async (services) => {
      // Opened on a full disk: the catalog and the files could not be written; said at once.
      if (openedOnFullDisk(services.db)) throw syncDiskFull(g);
      // Nothing to fetch is not a night that went well: a library rebuilt after corruption had quietly lost its subscriptions.
      if (services.queries.status().feeds.length === 0) throw noFeeds();
      const tty = process.stderr.isTTY && !g.json;
      const s = services.sync.settings();
      // Its --rate, else the saved night rate; a cap saved meanwhile (`settings --rate` from another shell) is followed within seconds.
      const cap = services.sync.ownCap(o.rate === undefined ? undefined : o.rate > 0 ? o.rate : Infinity);
      const quotaBytes = o.quota === 'off' ? undefined : (o.quota ?? s.quotaBytes ?? undefined);
      const floorBytes = o.floor ?? s.floorBytes;
      let summary: SyncSummary;
      try {
        summary = await syncAll(services, {
          bucket: cap.bucket,
          concurrency: o.concurrency,
          maxHeight: o.maxHeight ?? s.maxHeight,
          quotaBytes,
          floorBytes,
          hostWait: o.hostWait === undefined ? undefined : { ms: o.hostWait },
          ifRunning: 'refuse',
          onProgress: (p) => {
            if (!tty || p.totalBytes === 0) return;
            const w = 30;
            const done = Math.round((p.bytes / p.totalBytes) * w);
            // Failed files apart from those that came, and the server in trouble by name: a dead hub read as 9/417 done at 0 B/s.
            const failed = p.failed > 0 ? ` 失败 ${p.failed}` : '';
            const left = p.trouble && p.trouble.error === gaveUpMessage(p.trouble.host);
            const trouble = p.trouble ? ` · ${p.trouble.waitingSeconds ? p.trouble.error.split(' / ')[0] : left ? `连不上 ${p.trouble.host}，其余文件不再尝试` : `${p.trouble.host} 出错，正在重试`}` : '';
            process.stderr.write(`\r\x1b[K[${'#'.repeat(done)}${'.'.repeat(w - done)}] ${p.files - p.failed}/${p.totalFiles} 个文件${failed} ${formatBytes(p.bytes)} / ${formatBytes(p.totalBytes)} ${formatBytes(p.speed)}/s${trouble}`);
          },
        });
      } catch (err) {
        // The disk filled during the run: what did come is still the night's result, the full disk its first failure.
        const ran = (err as { summary?: SyncSummary }).summary;
        if (!ran || !isDiskFull(err, services.dataDir)) throw err;
        summary = { ...ran, failed: [{ sha256: '', resources: [], reason: 'disk-full', error: syncDiskFull(g).message }, ...ran.failed] };
      } finally {
        cap.done();
      }
      if (tty) process.stderr.write('\r\x1b[K');
      saveLastSync(services.db, summary);
      // A run the disk stopped says so first (the entry without a file), then what it did.
      const stop = summary.failed.find((f) => f.reason === 'disk-full' && f.sha256 === '');
      const files = summary.failed.filter((f) => f !== stop);
      out(g, summary, () =>
        [
          ...(stop ? [stop.error] : []),
          ...summary.feeds.map((f) => `${f.id}：${f.outcome === 'applied' ? `已更新到${(f.revision ?? 0) < 1e9 ? '' : ' '}${revisionText(f.id, f.revision ?? 0)}` : f.outcome === 'unchanged' ? '目录没有变化' : `目录同步失败：${f.error}`}`),
          `下载 ${summary.downloaded.files} 个文件，${formatBytes(summary.downloaded.bytes)}；跳过 ${summary.skipped} 个（其他清晰度或未选择离线保存）；用时 ${(summary.durationMs / 1000).toFixed(1)} 秒`,
          ...(summary.downsized ? [downsizedLine(summary.downsized)] : []),
          ...(summary.evicted ? [evictedLine(summary.evicted)] : []),
          ...(summary.partial
            ? [`没下载完的 ${summary.partial.files} 个文件已下载的部分（${formatBytes(summary.partial.bytes)}）已保留，下次同步从断点接着下载 / what came of ${summary.partial.files} unfinished file(s) (${formatBytes(summary.partial.bytes)}) is kept: the next sync continues from there`]
            : []),
          ...failureLines(files, limitsAfter(services, quotaBytes, floorBytes)),
        ].join('\n'),
      );
      // A catalog that could not be checked is a failed night too (cron and scripts look at the exit code).
      if (summary.failed.length > 0 || summary.feeds.some((f) => f.outcome === 'failed')) process.exitCode = 2;
        });
      } catch (err) {
        // A sync the disk stopped before it ran is a failed night (2), not an argument mistake (1).
        if (!isDiskFull(err, dataDirOf(g))) throw err;
        printError(g, syncDiskFull(g));
        process.exitCode = 2;
      }
    });

  program
    .command('verify')
    .description('重新校验每个缓存文件；损坏或缺失的移出（之后重新获取） / re-hash every cached file; a damaged or missing one is taken out of view (to be fetched again)')
    .addHelpText(
      'after',
      exitCodes([
        ['0', '所有文件完好', 'every file is sound'],
        ['2', '有文件损坏或缺失，已移出', 'a file was damaged or missing, and taken out'],
        ['1', '参数有误，或磁盘已满', 'a mistake in the arguments, or the disk is full'],
        ['70', '内部错误', 'an internal fault'],
      ]),
    )
    .action(async () => {
      await withServices(async (services, g) => {
      // Each checked file is stamped in the library: on a full disk that is the first write refused, after a hash.
      if (openedOnFullDisk(services.db)) throw diskFullError(services.dataDir);
      const tty = process.stderr.isTTY && !g.json;
      const r = await verifyCache(services.blobs, services.db, (done, total) => tty && process.stderr.write(`\r${done}/${total}   `));
      if (tty) process.stderr.write('\r\x1b[K');
      services.queries.invalidate();
      const lost = r.bad.length + r.missing.length;
      // Each lesson with its place in the textbook, as search results show it: a title alone (学习任务单) is ambiguous.
      const lessons = r.lessons.map((l) => ({ ...l, path: services.queries.pathTitles(l.nodeId) }));
      out(
        g,
        { ...r, lessons },
        () =>
          [
            `已校验 ${r.checked} 个文件（${formatBytes(r.bytes)}）；损坏 ${r.bad.length} 个，缺失 ${r.missing.length} 个${lost ? '，已移出' : ''}`,
            ...verifyNextLines(lessons.map((l) => ({ title: placed(l.title, l.path), next: l.next })), lost),
          ].join('\n'),
      );
      if (lost > 0) process.exitCode = 2;
      });
    });

  program
    .command('export <dir>')
    .description('把课程及已下载的文件写成资源库文件夹（如 U 盘） / write a feed folder (e.g. a USB stick) with lessons and their downloaded files')
    .option('--node <id>', '导出目录树的这一部分（可重复；默认全部） / export this part of the textbook tree (repeatable; default: everything)', collect, [] as string[])
    .option('--id <feedId>', '导出的资源库 id（默认按所选内容生成：再导出同一部分时，另一间教室里的那份随之更新） / feed id of the export (default: one per selection, so exporting the same part again updates it in the other classroom)')
    .option('--sign-key <file>', '用这个密钥签名（JSON {keyId, privateKey}）；不签名则导入时须加 --unsigned / sign with this key (JSON {keyId, privateKey}); otherwise import it with --unsigned', signKeyArg)
    .option('--replace', '替换文件夹中已有的资源库（平台的资源库、另一次导出）；不加时拒绝这样的文件夹 / replace the feed the folder holds (a platform feed, another export); without it such a folder is refused')
    .action(async (dir: string, o: { node: string[]; id?: string; signKey?: { keyId: string; privateKey: string }; replace?: boolean }) => {
      await withServices(async (services, g) => {
      const r = await exportFeed(services, path.resolve(dir), { nodes: o.node, id: o.id, signingKey: o.signKey, replace: o.replace });
      out(g, r, () =>
        [
          `已导出 ${r.resources} 个资源、${r.files} 个文件到 ${r.dir}（资源库 id：${r.id}）`,
          ...(r.replaced ? [`  已替换这个文件夹原有的${r.replaced.title ? `资源库“${r.replaced.title}”（${r.replaced.id}）` : ' feed.json'}`] : []),
          ...(r.damaged ? [`  本机缓存中有 ${r.damaged} 个文件已损坏，已移出缓存，相关资源未导出；下次同步会重新下载，之后再导出即可补上`] : []),
          ...(r.leftOut ? [`  ${r.leftOut} 个资源尚未下载，未导出（同步下载后再导出即可补上）`] : []),
          ...(r.missing ? [`  另有 ${r.missing} 个文件（其他清晰度或封面）尚未下载，未包含`] : []),
          ...(r.signed ? [] : ['  导入时请加 --unsigned']),
        ].join('\n'),
      );
      });
    });

  const timetable = program.command('timetable').description('班级课表 / the class timetable');
  timetable
    .command('import <file>')
    .description(
      "用 CSV 替换其中各班级的课表，其他班级不变（星期,节次,开始,结束,班级,课程，或按表头的名称；课程写 id 或完整标题；找不到或找到多个资源的节次照样导入，不选课程，并列出，除非保留原来已选的课程） / replace the periods of the classes a CSV names, keeping other classes' (星期,节次,开始,结束,班级,课程, or as its header names them — the lesson by id or exact title; a period whose lesson names no resource, or several, is imported without one and listed, unless it keeps the lesson already chosen for it)",
    )
    .action(async (file: string) => {
      await withServices(async (services, g) => {
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(file);
      } catch (err) {
        throw new AppError('not-found', `无法读取课表文件 ${file} / cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      const r = await services.router.invoke('timetable:import-csv', { csv: decodeCsv(bytes) });
      if (!r.ok) throw new AppError(r.error.code, r.error.message);
      out(g, r.value, () => importLines(r.value).join('\n'));
      });
    });
  timetable
    .command('list')
    .description('按星期和时间列出每节课的班级和课程（没选课程时为“未选课程”） / every period by weekday and time: its class and lesson (未选课程 when none)')
    .action(async () => {
      await withServices(async (services, g) => {
      const days = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((weekday) => services.router.invoke('timetable:today', { weekday })));
      const periods = days.flatMap((d) => {
        if (!d.ok) throw new AppError(d.error.code, d.error.message);
        return d.value.lessons.map((l) => listedPeriod(d.value.weekday, l));
      });
      out(g, { periods }, () => listLines(periods).join('\n'));
      });
    });

  const feeds = program.command('feeds').description('订阅：添加、列出或取消 / subscriptions: add, list or remove them');
  feeds
    .command('add <source>')
    .description('订阅资源库（平台或学校中心服务的 http(s):// 地址、file:// 或文件夹）；目录立即获取，文件在夜间下载 / subscribe to a feed (http(s):// URL of the platform or the school hub, file:// or a folder); its catalog is fetched now, its files at night')
    .option('--unsigned', '接受没有签名的资源库 / accept a feed without a signature')
    .option('--key <id=base64>', '信任这个发布者公钥（可重复） / trust this publisher key (repeatable)', collect, [] as string[])
    .option('--mirror <url>', '存有相同文件的另一个地址，在资源库本身的地址之后尝试（可重复） / another place with the same files, tried after the feed\'s own (repeatable)', collect, [] as string[])
    .action(async (source: string, o: { unsigned?: boolean; key: string[]; mirror: string[] }) => {
      await withServices(async (services, g) => {
      for (const m of o.mirror) if (!isHttpUrl(m)) throw new AppError('bad-request', `镜像地址须为 http(s):// / a mirror must be an http(s) URL: ${m}`);
      const summary = await services
        .importFeed(source, {
          unsigned: o.unsigned,
          keys: Object.fromEntries(o.key.map(parseKeyArg)),
          mirrors: o.mirror.length ? o.mirror : undefined,
          room: roomOf(services),
        })
        .catch(async (err: unknown) => {
          throw await withHubFeeds(err, source);
        });
      if (summary.fromExport) return out(g, summary, () => [...filledLines(summary), ...foldedLines(summary)].join('\n'));
      out(g, summary, () =>
        [`已订阅 ${summary.title}（${summary.feedId}）${revisionText(summary.feedId, summary.revision)}：${summary.resources} 个资源${o.mirror.length ? `，${o.mirror.length} 个镜像` : ''}`, ...incompleteLines(summary.blobs), ...foldedLines(summary)].join('\n'),
      );
      });
    });
  feeds
    .command('list')
    .description('列出已订阅的资源库 / subscribed feeds')
    .action(async () => {
      await withServices(async (services, g) => {
      const s = services.queries.status();
      const rebuilt = libraryRecovery(services.db) ? '：资料库损坏后已新建，原有的订阅需要重新添加（classboard status 查看详情）' : '';
      out(g, s.feeds, () => s.feeds.map((f) => `${f.id}\t${revisionText(f.id, f.revision)}\t${f.resources} 个资源\t${f.source}`).join('\n') || `（没有订阅${rebuilt}）`);
      });
    });
  feeds
    .command('remove <id>')
    .description('取消订阅：其课程移出资料库（收藏、批注和备课保留）；学校中心服务的上游资源库须加 --force / unsubscribe: its lessons leave the library (favourites, ink and plans are kept); a school hub\'s upstream feed needs --force')
    .option('--force', "即使是学校中心服务的上游资源库也取消（先停止中心服务） / remove it even if it is the school hub's upstream (stop the hub first)")
    .action(async (id: string, o: { force?: boolean }) => {
      await withServices(async (services, g) => {
      // The hub's upstream: every classroom subscribes to it through the hub, which would answer 404 and fetch it all again over the school's link.
      const upstream = hubUpstreamOf(services.db);
      const isUpstream = upstream?.feedId === id && services.db.prepare('SELECT 1 FROM feeds WHERE id = ?').pluck().get(id) !== undefined;
      if (isUpstream && !o.force) {
        throw new AppError(
          'refused',
          `${id} 是本校中心服务的上游资源库（classboard hub --upstream ${upstream.url}），各教室都通过中心服务订阅它；取消订阅后教室将失去这些课程，中心服务也要经外网重新下载全部文件。` +
            `确需取消：先停止中心服务，运行 classboard feeds remove ${id} --force，再不带（或改换）--upstream 启动中心服务 / ` +
            `${id} is the school hub's upstream feed (hub --upstream ${upstream.url}): the classrooms subscribe to it through the hub, and removing it takes their lessons away and makes the hub download everything again. ` +
            `If you mean it: stop the hub, run classboard feeds remove ${id} --force, then start the hub without (or with another) --upstream`,
        );
      }
      // What goes with it, said after: its lessons, and the timetabled periods that named one of them.
      const resources = services.db.prepare('SELECT count(*) FROM resources WHERE feed_id = ?').pluck().get(id) as number;
      const timetabled = services.db
        .prepare('SELECT count(*) FROM timetable WHERE resource_id IN (SELECT id FROM resources WHERE feed_id = ?)')
        .pluck()
        .get(id) as number;
      // Forgotten with the feed, in one transaction: the same id subscribed again later as an ordinary feed is not refused.
      const removed = services.db.transaction(() => {
        const gone = services.db.prepare('DELETE FROM feeds WHERE id = ?').run(id).changes > 0;
        if (gone && isUpstream) forgetHubUpstream(services.db);
        return gone;
      })();
      if (!removed) throw noSuchFeed(services, id);
      // Its kept feed.json goes too (an id the library held, so a plain folder name).
      fs.rmSync(path.join(services.dataDir, 'feeds', id), { recursive: true, force: true });
      services.queries.invalidate();
      out(g, { removed: id, resources, timetabled }, () =>
        [
          `已取消订阅 ${id}：${resources} 个资源已移出资料库${timetabled > 0 ? `，课表中 ${timetabled} 节课的课程将不可用，请在课表里重新选择` : ''}（收藏、批注和备课保留） / unsubscribed ${id}: ${resources} resource${resources === 1 ? '' : 's'} left the library${timetabled > 0 ? `; ${timetabled} timetabled period${timetabled === 1 ? ' names' : 's name'} one of them: choose again on the timetable page` : ''}`,
        ].join('\n'),
      );
      });
    });

  const keepCommand = (name: 'keep' | 'unkeep') =>
    program
      .command(`${name} <nodeIds...>`)
      .description(
        name === 'keep'
          ? '离线保存目录树中的这些部分（学段、年级、学科、版本、册或课），id 见 classboard selection / keep these parts of the textbook tree offline (stage, grade, subject, edition, volume or lesson); see `selection`'
          : '不再离线保存这些部分：仍可浏览和搜索，标为未下载 / stop keeping these offline: they stay browsable and searchable, marked not downloaded',
      )
      .action(async (ids: string[]) => {
        await withServices(async (services, g) => {
          for (const id of ids) checkNode(services, id);
          // Unkeeping what is not kept changes nothing: said so, and the selection is left alone (a no-op, as keep of a kept node).
          const notKept = name === 'unkeep' ? notKeptOnItsOwn(services, ids) : [];
          if (notKept.length > 0 && notKept.length === new Set(ids).size) return out(g, { unchanged: true, notKept }, () => notKept.map(notKeptLine).join('\n'));
          const r = await services.sync.keep(ids, name === 'keep');
          const kept = r.everything ? `离线保存全部内容：${formatBytes(r.keptBytes)}` : `离线保存所选内容：${formatBytes(r.keptBytes)}`;
          if (name === 'keep') return out(g, r, () => kept);
          // Unkept is not deleted: what came stays until the cache needs room (cache/evict.ts takes files outside the selection first).
          const downloadedBytes = await downloadedUnder(services, ids.filter((id) => !notKept.some((n) => n.id === id)));
          out(g, { ...r, downloadedBytes, notKept }, () =>
            [
              kept,
              ...notKept.map(notKeptLine),
              ...(downloadedBytes > 0
                ? [
                    `不再离线保存的内容中，已下载的 ${formatBytes(downloadedBytes)} 仍留在本机，可以照常使用；缓存空间不够时会先清理这些文件（课表和收藏中的课程除外） / what is no longer kept but already downloaded (${formatBytes(downloadedBytes)}) stays on this machine and can still be used; when the cache needs room these files go first (never those of timetabled or favourite lessons)`,
                  ]
                : []),
            ].join('\n'),
          );
        });
      });
  keepCommand('keep');
  keepCommand('unkeep');

  program
    .command('selection [nodeId]')
    .description('目录树，及其大小和离线保存情况（■ 全部，◧ 部分，□ 无） / the textbook tree with sizes and what is kept offline (■ all, ◧ part, □ none)')
    .action(async (nodeId: string | undefined) => {
      await withServices(async (services, g) => {
        if (nodeId !== undefined) checkNode(services, nodeId);
        const r = await services.sync.selection(nodeId ?? null);
        const mark = { all: '■', some: '◧', none: '□' } as const;
        out(g, r, () =>
          [
            r.trail.map((t) => t.title).join(' › ') || '全部资源',
            ...r.nodes.map(
              (n) =>
                `  ${mark[n.keep]} ${n.title}  ${formatBytes(n.bytes)}（已下载 ${formatBytes(n.cachedBytes)}${n.keep !== 'all' && n.alwaysBytes > 0 ? `；课表和收藏中的 ${formatBytes(n.alwaysBytes)} 始终保存` : ''}）  ${n.id}`,
            ),
            `离线保存 ${formatBytes(r.keptBytes)} / 共 ${formatBytes(r.totalBytes)}${r.everything ? '（未选择：全部保存）' : ''}`,
            ...overQuotaLines(r.keptBytes, services.sync.settings().quotaBytes),
          ].join('\n'),
        );
      });
    });

  program
    .command('settings')
    .description('查看或修改同步设置（与设置页相同） / show or change the sync settings (the same as the settings page)')
    .option('--window <from-to>', '夜间时段，北京时间，如 22:00-06:30 / nightly window, school time, e.g. 22:00-06:30', windowArg)
    .option('--rate <rate>', '夜间限速，如 2mbit；0 为不限 / night cap, e.g. 2mbit; 0 for none', rateArg)
    .option('--day-rate <rate>', '白天限速，如 256kbit；0 为白天暂停 / daytime trickle, e.g. 256kbit; 0 pauses by day', rateArg)
    .option('--max-height <px>', '最高视频清晰度，如 720 / highest video rendition, e.g. 720', heightArg)
    .option('--quota <size>', '缓存最多占用，须带单位，如 200GB 或 500MB（至少 100MB）；off（或 none）取消上限 / most the cache may hold, with its unit, e.g. 200GB or 500MB (at least 100MB); off (or none) removes the quota', quotaArg)
    .option('--floor <size>', '须保留的磁盘空间，须带单位，如 5GB / free disk space to keep, with its unit, e.g. 5GB', sizeArg)
    .action(async (o: Parameters<typeof settingsFrom>[0]) => {
      await withServices(async (services, g) => {
        const patch = settingsFrom(o);
        const r = await services.router.invoke(Object.keys(patch).length ? 'sync:configure' : 'sync:settings', patch);
        if (!r.ok) throw new AppError(r.error.code, r.error.message);
        const v = r.value as SyncSettings;
        // Every sync follows a saved cap within seconds (main/sync/controller.ts): an admin lowering it by day knows it took.
        // The day rate is said only to a run paused by day (the hub's): a run asked for now goes at the night rate.
        const lock = syncLockState(services.dataDir);
        const capChanged = o.rate !== undefined || (o.dayRate !== undefined && lock.paused);
        const running = capChanged && lock.running && lock.pid !== null && lock.pid !== process.pid;
        out(g, v, () =>
          [
            ...settingsLines(v),
            ...(running
              ? [`正在进行的同步（进程 ${lock.pid}）会在 ${FOLLOWS_WITHIN_S} 秒内采用新的限速 / the sync running in process ${lock.pid} takes the new cap within ${FOLLOWS_WITHIN_S} s`]
              : []),
          ].join('\n'),
        );
      });
    });

  program
    .command('search <query>')
    .description('搜索资料库（一个或多个词，如 "三年级 分数"） / search the library (one or more terms, e.g. "三年级 分数")')
    .option('--limit <n>', '显示的结果数 / results to show', positiveInt, 20)
    .option('--offset <n>', '跳过的结果数 / results to skip', wholeNumber, 0)
    .action(async (query: string, o: { limit: number; offset: number }) => {
      await withServices(async (services, g) => {
      const r = await services.router.invoke('library:search', { query, limit: Math.min(o.limit, 200), offset: o.offset });
      if (!r.ok) throw new AppError(r.error.code, r.error.message);
      const value = r.value;
      out(g, value, () =>
        [`共 ${value.total} 条 / ${value.total} results`, ...value.results.map((x) => `  ${x.title}  [${x.type}]  ${x.path.join(' › ')}  (${x.id})`)].join('\n'),
      );
      });
    });

  program
    .command('status')
    .description('资源库、版本、数量和缓存大小；正在进行或被中断的同步、上次同步、同步设置 / feeds, revisions, counts and cache size; a sync running or interrupted, the last one, the sync settings')
    .action(async () => {
      await withServices(async (services, g) => {
      const s = services.queries.status();
      const lastSync = readLastSync(services.db);
      // Counted for a script, as lastSync.failed counts files: a night whose catalog failed read as 0 failures.
      const failedCatalogs = lastSync?.feeds.filter((f) => f.outcome === 'failed').length ?? 0;
      const lock = syncLockState(services.dataDir);
      const settings = services.sync.settings();
      const overQuotaBytes = settings.quotaBytes === null ? 0 : Math.max(0, s.cachedBytes - settings.quotaBytes);
      // What tonight brings, and apart what the quota refuses: the sync page's own numbers (the controller's status).
      const { queued, overQuota } = await services.sync.status();
      const sync = { running: lock.running, pid: lock.pid, paused: lock.paused, interruptedAt: lock.interruptedAt };
      // How far a sync in another process has got (the hub's night run, the app's, a `sync --now` in another shell); null when none runs.
      const running = runningSync(services.dataDir, lock);
      // A run killed mid-way: its files as the cache holds them now (null when none was killed, or it had planned nothing).
      const interrupted = whereStopped(services.dataDir, lock, services);
      const removedLessons = await timetabledButRemoved(services);
      const recovered = libraryRecovery(services.db);
      // Files a rebuilt library does not list yet: the cache is not empty, whatever the count below says.
      const unlisted = recovered ? unlistedBlobs(services) : { files: 0, bytes: 0 };
      // A hub's files pulled through from upstream for classrooms (school time), which no run counts.
      const pulled = pulledToday(services.db);
      out(g, { dataDir: services.dataDir, ...s, lastSync: lastSync && { ...lastSync, failedCatalogs }, sync, running, interrupted, settings, overQuotaBytes, queued, overQuota, removedLessons, recovered, unlisted, pulledToday: pulled }, () =>
        [
          `资料目录 / data: ${services.dataDir}`,
          ...(recovered && s.feeds.length === 0
            ? [
                `资料库文件已损坏，已于 ${formatSchoolTime(recovered.at)}（北京时间）移至 ${recovered.from}，并新建了空的资料库：原有的订阅、课表和设置都不在新资料库中。请重新订阅（classboard feeds add <地址>） / the library was corrupt: it was moved to ${recovered.from} and an empty one made in its place, without the subscriptions, timetable and settings; subscribe again with classboard feeds add <url>`,
              ]
            : []),
          ...(unlisted.files > 0
            ? [
                `缓存文件夹中还有 ${unlisted.files} 个文件（${formatBytes(unlisted.bytes)}）不在新建的资料库中：重新订阅后，下次同步会直接使用，不再下载 / ${unlisted.files} files (${formatBytes(unlisted.bytes)}) in the cache folder are not in the rebuilt library: once subscribed again, the next sync uses them instead of downloading them`,
              ]
            : []),
          ...(openedOnFullDisk(services.db) ? [`  ${diskFullError(services.dataDir, ['资料库只能读取，同步和设置要等腾出空间后才能进行', 'the library can be read; sync and settings need some space first']).message}`] : []),
          ...s.feeds.map((f) => `  ${f.title}（${f.id}）${revisionText(f.id, f.revision)}${f.unsigned ? '，未签名' : ''}：${f.resources} 个资源，${f.nodes} 个目录节点  ← ${f.source}`),
          `合计 ${s.resources} 个资源，${s.nodes} 个目录节点；缓存 ${s.cachedBlobs} 个文件，${formatBytes(s.cachedBytes)}`,
          ...(s.feeds.length > 0 ? queueLines(queued, overQuota) : []),
          ...(overQuotaBytes > 0
            ? [`缓存已超出上限 ${formatBytes(overQuotaBytes)}：下次同步会先清理不在离线范围内的文件 / the cache is ${formatBytes(overQuotaBytes)} over its quota: the next sync first removes files outside the offline selection`]
            : []),
          ...removedLessonLines(removedLessons),
          ...syncLockLines(lock, running, interrupted),
          ...lastSyncLines(lastSync, lock.running || lock.interruptedAt !== null),
          ...(pulled.files > 0
            ? [`今天中心服务为教室转取 ${pulled.files} 个文件（${formatBytes(pulled.bytes)}） / pulled through for classrooms today: ${pulled.files} files (${formatBytes(pulled.bytes)})`]
            : []),
          '同步设置 / sync settings:',
          ...settingsLines(settings).map((l) => `  ${l}`),
        ].join('\n'),
      );
      });
    });

  applyArgumentRules(program);
  return program;
}

const noFeeds = () =>
  new AppError('refused', '没有订阅任何资源库，请先用 classboard feeds add <地址> 添加 / no feed is subscribed: add one with classboard feeds add <url>');

/** A resource's title with its lesson and unit, deepest first, as the UI's WherePath leads with them: 学习任务单（分数的初步认识 · 第八单元）. */
const placed = (title: string, path: string[]) => (path.length ? `${title}（${path.slice(-2).reverse().join(' · ')}）` : title);

/** `hub --port` on a port something listens on already: most often the hub itself, started twice. */
const portInUse = (port: number) =>
  new AppError(
    'conflict',
    `端口 ${port} 已被占用：可能另一个中心服务已在运行（请先停止它），或用 --port 换一个端口 / port ${port} is in use: another hub may be running already (stop it first), or choose another port with --port`,
  );

/** Subscribed feeds listed in a message, up to this many; beyond, `feeds list` is named alone. */
const LISTED_FEEDS = 5;

/** `feeds remove` of an id not subscribed: the ids that are (when few), and where to see them. */
function noSuchFeed(services: Services, id: string): AppError {
  const ids = services.db.prepare('SELECT id FROM feeds ORDER BY id').pluck().all() as string[];
  if (ids.length === 0) return new AppError('not-found', `没有订阅 ${id}：目前没有订阅任何资源库 / no such feed: ${id}; no feed is subscribed`);
  if (ids.length > LISTED_FEEDS) {
    return new AppError('not-found', `没有订阅 ${id}；已订阅的资源库 id 可用 classboard feeds list 查看 / no such feed: ${id}; classboard feeds list shows the subscribed ids`);
  }
  return new AppError(
    'not-found',
    `没有订阅 ${id}；已订阅的是 ${ids.join('、')}（classboard feeds list 可查看） / no such feed: ${id}; subscribed: ${ids.join(', ')} (see classboard feeds list)`,
  );
}

/**
 * A node id the library does not hold. The usual slip is the id without its feed's
 * prefix (xx-3 for cn.classboard.demo/xx-3), as the tree is browsed: said, with the
 * id meant when exactly one subscribed feed has that node.
 */
function checkNode(services: Services, id: string): void {
  const node = services.db.prepare('SELECT 1 FROM nodes WHERE id = ?').pluck();
  if (node.get(id) !== undefined) return;
  const feeds = services.db.prepare('SELECT id FROM feeds ORDER BY id').pluck().all() as string[];
  const meant = feeds.map((f) => `${f}/${id}`).filter((full) => node.get(full) !== undefined);
  const where = 'classboard selection 可逐级查看各节点的 id';
  const whereEn = 'classboard selection lists them, level by level';
  if (meant.length === 1) {
    throw new AppError('not-found', `没有目录节点 ${id}：节点 id 带资源库前缀，是不是 ${meant[0]}？${where} / no node ${id}: node ids carry their feed's prefix; did you mean ${meant[0]}? ${whereEn}`);
  }
  // An id with a feed's prefix already is simply not in the tree.
  if (feeds.some((f) => id.startsWith(`${f}/`)) || !feeds[0]) throw new AppError('not-found', `没有目录节点 ${id}，${where} / no node ${id}; ${whereEn}`);
  throw new AppError(
    'not-found',
    `没有目录节点 ${id}：节点 id 带资源库前缀（如 ${feeds[0]}/…），${where} / no node ${id}: node ids carry their feed's prefix (e.g. ${feeds[0]}/…); ${whereEn}`,
  );
}

/** Bytes downloaded under these nodes, as `selection` shows them beside each node (a node inside another named counts once). */
async function downloadedUnder(services: Services, ids: string[]): Promise<number> {
  const parentOf = services.db.prepare('SELECT parent FROM nodes WHERE id = ?').pluck();
  const up = (id: string): string[] => {
    const chain: string[] = [];
    for (let p = parentOf.get(id) as string | null | undefined; p; p = parentOf.get(p) as string | null | undefined) chain.push(p);
    return chain;
  };
  let bytes = 0;
  for (const id of new Set(ids)) {
    const above = up(id);
    if (above.some((a) => ids.includes(a))) continue;
    const shown = await services.sync.selection(above[0] ?? null);
    bytes += shown.nodes.find((n) => n.id === id)?.cachedBytes ?? 0;
  }
  return bytes;
}

/** 待下载 as the sync page says it: only what tonight brings; the files the quota refuses on a line of their own. */
function queueLines(queued: { files: number; bytes: number }, overQuota: { files: number; bytes: number }): string[] {
  const lines =
    queued.files > 0
      ? [`待下载 ${queued.files} 个文件（${formatBytes(queued.bytes)}） / to download: ${queued.files} files (${formatBytes(queued.bytes)})`]
      : overQuota.files === 0
        ? ['所选内容已全部下载 / everything chosen is downloaded']
        : [];
  if (overQuota.files > 0) {
    lines.push(
      `另有 ${overQuota.files} 个文件（${formatBytes(overQuota.bytes)}）超出缓存上限，今晚不会下载：请调高缓存上限（classboard settings --quota），或少选一些（classboard unkeep） / ` +
        `${overQuota.files} more files (${formatBytes(overQuota.bytes)}) do not fit under the cache quota and will not be downloaded tonight`,
    );
  }
  return lines;
}

/** A selection bigger than the cache quota: what cannot come, said where the selection is shown (a 100 MB quota beside 200 MB kept said nothing). */
function overQuotaLines(keptBytes: number, quotaBytes: number | null): string[] {
  // The same sum as the sync page's line over its tree.
  const overBytes = selectionOverQuota(keptBytes, quotaBytes);
  if (quotaBytes === null || overBytes === 0) return [];
  const over = formatBytes(overBytes);
  return [
    `所选 ${formatBytes(keptBytes)} 超过缓存上限 ${formatBytes(quotaBytes)}，约 ${over} 不会下载（课表和收藏中的课先保存；没下载的课同步后会列出）。请调高缓存上限（classboard settings --quota），或少选一些（classboard unkeep） / ` +
      `the selection (${formatBytes(keptBytes)}) is bigger than the cache quota (${formatBytes(quotaBytes)}): about ${over} will not be downloaded`,
  ];
}

/** A hub's list of the feeds it serves (GET /feed/, main/hub/server.ts). */
const HubFeeds = z.object({ feeds: z.array(z.object({ id: z.string().max(64), title: z.string().max(200) })).max(1000) });

/**
 * `feeds add http://hub/feed/<id>/` answered "no feed.json": most likely a mistyped
 * id. A Classboard hub lists the feeds it serves; they are named, so the admin can
 * copy the right address. Anything else (not a hub, no answer) leaves the error as it was.
 */
async function withHubFeeds(err: unknown, source: string): Promise<unknown> {
  const base = /^(https?:\/\/.+\/feed\/)[^/]+\/?$/.exec(source)?.[1];
  if (!base || !(err instanceof AppError) || err.code !== 'not-found') return err;
  let served: z.infer<typeof HubFeeds>['feeds'];
  try {
    const res = await fetch(base, { signal: AbortSignal.timeout(5000), headers: { accept: 'application/json' } });
    if (!res.ok) return err;
    served = HubFeeds.parse(await res.json()).feeds;
  } catch {
    return err;
  }
  const at = err.message.indexOf(' / ');
  const [zh, en] = at < 0 ? [err.message, err.message] : [err.message.slice(0, at), err.message.slice(at + 3)];
  if (served.length === 0) return new AppError('not-found', `${zh}；这个中心服务目前没有提供任何资源库 / ${en}; this hub serves no feed yet`);
  const named = served.map((f) => `${f.title}（${base}${f.id}/）`).join('、');
  const urls = served.map((f) => `${base}${f.id}/`).join(', ');
  return new AppError('not-found', `${zh}；这个中心服务提供的资源库：${named} / ${en}; this hub serves: ${urls}`);
}

/** Verified files in the cache folder (<aa>/<sha256>) that the library does not list: what a rebuilt library left behind. */
function unlistedBlobs(services: Services): { files: number; bytes: number } {
  const listed = services.db.prepare('SELECT 1 FROM blobs WHERE sha256 = ?').pluck();
  const found = { files: 0, bytes: 0 };
  for (const dir of fs.readdirSync(services.blobs.root)) {
    if (!/^[0-9a-f]{2}$/.test(dir)) continue;
    for (const name of fs.readdirSync(path.join(services.blobs.root, dir))) {
      if (!/^[0-9a-f]{64}$/.test(name) || listed.get(name) !== undefined) continue;
      found.files++;
      found.bytes += fs.statSync(path.join(services.blobs.root, dir, name)).size;
    }
  }
  return found;
}

/**
 * Timetabled periods whose lesson left the library (the board says so on those days only; the admin sees them all):
 * `unsubscribed` when its feed is no longer subscribed (feeds remove), not removed by the platform's catalog.
 */
async function timetabledButRemoved(services: Services) {
  const days = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((weekday) => services.router.invoke('timetable:today', { weekday })));
  return days.flatMap((d, i) =>
    d.ok
      ? d.value.lessons.flatMap((l) =>
          l.missing
            ? [{ weekday: i + 1, period: l.period, className: l.className, resourceId: l.missing.resourceId, title: l.missing.title ?? null, unsubscribed: l.missing.unsubscribed === true }]
            : [],
        )
      : [],
  );
}

function removedLessonLines(removed: Awaited<ReturnType<typeof timetabledButRemoved>>): string[] {
  const named = (rs: typeof removed) =>
    namedLessons(rs.map((r) => `星期${'一二三四五六日'[r.weekday - 1]}第 ${r.period} 节${r.className ? `（${r.className}）` : ''} ${r.title ?? r.resourceId}`));
  const byPlatform = removed.filter((r) => !r.unsubscribed);
  const byAdmin = removed.filter((r) => r.unsubscribed);
  const periods = (n: number) => `${n} timetabled period${n > 1 ? 's name lessons' : ' names a lesson'}`;
  return [
    ...(byPlatform.length
      ? [`课表中有 ${byPlatform.length} 节课的课程已被资源平台移除（${named(byPlatform)}），请在课表里重新选择 / ${periods(byPlatform.length)} the platform removed: choose again on the timetable page`]
      : []),
    ...(byAdmin.length
      ? [
          `课表中有 ${byAdmin.length} 节课的课程所属资源库已取消订阅（${named(byAdmin)}），请重新订阅该资源库，或在课表里重新选择 / ${periods(byAdmin.length)} of a feed no longer subscribed: subscribe to it again, or choose again on the timetable page`,
        ]
      : []),
  ];
}

/** The sync settings' quota and floor: a teacher's stick fills the cache within them, as the sync does. */
function roomOf(services: Services): { quotaBytes?: number; floorBytes: number } {
  const s = services.sync.settings();
  return { quotaBytes: s.quotaBytes ?? undefined, floorBytes: s.floorBytes };
}

/**
 * Files on a stick that failed their check, with the lessons they belong to: the
 * copy on the stick is incomplete, so importing it again cannot help; it has to be
 * exported or copied again on the computer it came from.
 */
function incompleteLines(blobs: ImportSummary['blobs']): string[] {
  if (!blobs.rejected) return [];
  const titles = blobs.incomplete ?? [];
  const named = namedLessons(titles);
  return [
    `  U 盘上有 ${blobs.rejected} 个文件不完整${named ? `（${named}）` : ''}，未导入；请在原来的电脑上重新导出或重新复制后再导入 / ${blobs.rejected} file${blobs.rejected > 1 ? 's' : ''} on the stick ${blobs.rejected > 1 ? 'are' : 'is'} incomplete${named ? ` (${named})` : ''}, not imported: export or copy the folder again on the computer it came from, then import it again`,
  ];
}

/** What a teacher's stick did in a classroom already subscribed to its lessons' feeds: files into the cache, no lessons twice. */
function filledLines(s: Awaited<ReturnType<Services['importFeed']>>): string[] {
  const f = s.fromExport!;
  const from = f.feeds.map((x) => x.title).join('、');
  const { copied, present, bytes } = s.blobs;
  return [
    `已从 U 盘补充 ${copied} 个文件（${formatBytes(bytes)}），这些课程来自已订阅的 ${from}，没有另加一份课程 / ${copied} files (${formatBytes(bytes)}) from the stick added to the cache; its lessons come from ${from}, subscribed already, so none were added twice`,
    ...(present ? [`  另有 ${present} 个文件本来就有 / ${present} were in the cache already`] : []),
    ...incompleteLines(s.blobs),
    ...(f.ignored ? [`  ${f.ignored} 个文件不在已订阅资源库的目录中，已忽略；如果是平台新发布的课程，下次同步目录后再导入此 U 盘 / ${f.ignored} files are not in the subscribed catalog: ignored; lessons published since the last sync can be taken after the next one`] : []),
    ...(f.noRoom ? [`  ${f.noRoom} 个文件超出缓存配额或磁盘余量，未复制（classboard settings --quota / --floor）/ ${f.noRoom} files over the cache quota or the free-disk floor: not copied`] : []),
    ...(f.earlierFeed ? [`  这个 U 盘之前已作为资源库 ${f.earlierFeed} 导入，那是这些课程的第二份；先把课表和收藏改到已订阅的课程，再用 classboard feeds remove ${f.earlierFeed} 去掉 / this stick was imported before as feed ${f.earlierFeed}, a second copy of these lessons: point the timetable and favourites at the subscribed ones, then remove it with classboard feeds remove ${f.earlierFeed}`] : []),
  ];
}

/**
 * A stick imported as a feed of its own before this subscription: its copies of the feed's lessons are the feed's now
 * (library/fold-export.ts), but for copies in another version than the feed's, which stay the stick's: only the folded are not downloaded again.
 */
function foldedLines(s: Awaited<ReturnType<Services['importFeed']>>): string[] {
  return (s.folded ?? []).map(({ exportId, into, resources, kept, left }) => {
    const plural = (n: number) => (n === 1 ? '' : 's');
    const zh = [
      ...(resources ? [`U 盘导入的 ${resources} 个资源已并入 ${into.title}，不会重复显示，也不会重新下载，收藏、课表、备课和批注都已随之转过去`] : []),
      ...(kept ? [`U 盘上有 ${kept} 个资源与 ${into.title} 里的版本不同，仍保留在 U 盘导入的资源中`] : []),
      ...(left ? [`U 盘上另有 ${left} 个资源 ${into.title} 里没有，仍保留在 ${exportId}`] : []),
    ];
    const en = [
      ...(resources ? [`the ${resources} resource${plural(resources)} imported from a USB stick (${exportId}) ${resources === 1 ? 'is' : 'are'} now part of ${into.title}: shown once, not downloaded again, with their favourites, timetable, plans and ink`] : []),
      ...(kept ? [`${kept} resource${plural(kept)} on the stick differ${kept === 1 ? 's' : ''} from ${into.title}'s version: kept in the stick's feed (${exportId})`] : []),
      ...(left ? [`${left} more from the stick that ${into.title} does not have stay in ${exportId}`] : []),
    ];
    return `${zh.join('；')} / ${en.join('; ')}`;
  });
}

export async function main(argv: string[]): Promise<void> {
  const program = buildCli();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    // --help and --version (and help shown for a command named without its subcommand) are already printed.
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    // Another sync holds the data folder (cron, the hub's night run, perhaps paused by day): said plainly,
    // nothing done, and exit 3 so a script does not read it as this sync's success.
    if (err instanceof SyncRunning) {
      out(program.opts<Globals>(), { running: { pid: err.pid, paused: err.paused } }, () => err.message);
      process.exitCode = 3;
      return;
    }
    const e = printError(program.opts<Globals>(), err);
    // The library busy is, like another sync, "nothing done, try again later" (3), not the command's mistake (1) nor a fault (70).
    process.exitCode = e.code === 'internal' ? 70 : isLibraryBusy(e) ? 3 : 1;
  }
}

await main(process.argv);
