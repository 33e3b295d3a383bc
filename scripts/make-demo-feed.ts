// Generates the embedded demo library (assets/demo-feed/): a signed feed with real
// textbook structure, short titled H.264/AAC lesson clips with a visible timer (so
// seeking shows), posters, a three-page PDF task sheet and an image.
//
//   npx tsx scripts/make-demo-feed.ts
//
// The signing key in scripts/demo-feed-signing-key.json is a demo-only key: the app
// trusts it for the embedded demo subscription and nothing else.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { generateSigningKey, sha256Hex, type SigningKey } from '../main/feed/keys';
import type { ShardNode, ShardResource } from '../main/feed/schema';
import { describeFile, writeFeed } from '../main/feed/write';
import { resolveFfmpeg, runFfmpeg } from '../main/media/ffmpeg';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'assets', 'demo-feed');
const keyFile = path.join(root, 'scripts', 'demo-feed-signing-key.json');
const pubFile = path.join(root, 'assets', 'demo-feed.pub.json');
const FONT = ['/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc', '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'].find((f) =>
  fs.existsSync(f),
);
if (!FONT) throw new Error('needs a CJK font: apt-get install fonts-noto-cjk');
const ffmpeg = resolveFfmpeg();
const ffprobe = resolveFfmpeg(undefined, 'ffprobe');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-demo-'));
const BITEXACT = ['-fflags', '+bitexact', '-map_metadata', '-1'];

function loadKey(): SigningKey {
  if (fs.existsSync(keyFile)) return JSON.parse(fs.readFileSync(keyFile, 'utf8')) as SigningKey;
  const key = generateSigningKey('classboard-demo-2026');
  fs.writeFileSync(keyFile, `${JSON.stringify({ note: 'Demo-only signing key for assets/demo-feed. Trusted for the embedded demo subscription only.', ...key }, null, 2)}\n`);
  return key;
}

// drawtext needs ':' and '\'' escaped inside its option values.
const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/:/g, '\\:').replace(/'/g, "\\'");

async function makeClip(name: string, title: string, subtitle: string, height: 360 | 720, colour: string): Promise<string> {
  const file = path.join(work, `${name}-${height}.mp4`);
  const width = (height * 16) / 9;
  const scale = height / 360;
  const text = (t: string, size: number, y: string, extra = '') =>
    `drawtext=fontfile=${FONT}:text='${esc(t)}':fontsize=${Math.round(size * scale)}:fontcolor=white:x=(w-text_w)/2:y=${y}${extra}`;
  const filter = [
    `color=c=${colour}:s=${width}x${height}:r=25:d=8[bg]`,
    `testsrc2=s=${Math.round(160 * scale)}x${Math.round(90 * scale)}:r=25:d=8[pat]`,
    `[bg][pat]overlay=x='(W-w)*t/8':y=H-h-${Math.round(24 * scale)}[v0]`,
    `[v0]${text(title, 34, `${Math.round(60 * scale)}`)},${text(subtitle, 20, `${Math.round(118 * scale)}`, ':fontcolor=0xd7f5e4')},` +
      `drawtext=fontfile=${FONT}:text='%{pts\\:hms}':fontsize=${Math.round(30 * scale)}:fontcolor=yellow:box=1:boxcolor=black@0.5:boxborderw=8:x=(w-text_w)/2:y=${Math.round(170 * scale)}[v]`,
  ].join(';');
  await runFfmpeg([
    '-y', '-hide_banner', '-loglevel', 'error',
    '-filter_complex', filter,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=8',
    '-map', '[v]', '-map', '0:a',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', height === 720 ? '30' : '31', '-pix_fmt', 'yuv420p', '-g', '25', '-threads', '1',
    '-flags:v', '+bitexact',
    '-c:a', 'aac', '-b:a', '48k', '-flags:a', '+bitexact',
    '-movflags', '+faststart', ...BITEXACT, '-t', '8', file,
  ], { bin: ffmpeg, timeoutMs: 120_000 });
  return file;
}

async function makeJpeg(name: string, w: number, h: number, lines: string[], opts: { bg?: string; fg?: string; at?: number } = {}): Promise<string> {
  const file = path.join(work, `${name}.jpg`);
  const size = Math.round(Math.min(h / 34, w / 26));
  const draw = lines
    .map((l, i) => `drawtext=fontfile=${FONT}:text='${esc(l)}':fontsize=${i === 0 ? Math.round(size * 1.4) : size}:fontcolor=${opts.fg ?? 'black'}:x=${Math.round(w * 0.08)}:y=${Math.round(h * 0.08 + i * size * 2)}`)
    .join(',');
  await runFfmpeg(['-y', '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `color=c=${opts.bg ?? 'white'}:s=${w}x${h}:d=1`, '-vf', draw, '-frames:v', '1', '-q:v', '6', ...BITEXACT, file], {
    bin: ffmpeg,
    timeoutMs: 60_000,
  });
  return file;
}

async function poster(video: string, name: string): Promise<string> {
  const file = path.join(work, `${name}-poster.jpg`);
  await runFfmpeg(['-y', '-hide_banner', '-loglevel', 'error', '-ss', '1', '-i', video, '-frames:v', '1', '-q:v', '7', ...BITEXACT, file], { bin: ffmpeg });
  return file;
}

async function duration(file: string): Promise<number> {
  const { stdout } = await runFfmpeg(['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { bin: ffprobe });
  return Math.round(Number(stdout.trim()) * 10) / 10;
}

async function taskSheet(): Promise<string> {
  const pages = [
    ['学习任务单', '年级：________  姓名（学号）：________', '一、读一读：把课题读正确、读流利。', '二、想一想：课文讲了什么？', '三、写一写：把你喜欢的句子抄下来。'],
    ['第二页 · 课堂练习', '1. 认一认：本课生字。', '2. 连一连：词语和意思。', '3. 说一说：你发现了什么？'],
    ['第三页 · 课后拓展', '和家人分享今天学到的内容，', '画一幅画或写几句话。', '老师评价：☆☆☆☆☆'],
  ];
  const pdf = await PDFDocument.create();
  pdf.setTitle('学习任务单');
  pdf.setCreationDate(new Date('2026-11-01T00:00:00Z'));
  pdf.setModificationDate(new Date('2026-11-01T00:00:00Z'));
  pdf.setProducer('Classboard demo');
  pdf.setCreator('Classboard demo');
  for (const [i, lines] of pages.entries()) {
    const jpg = await pdf.embedJpg(fs.readFileSync(await makeJpeg(`sheet-${i}`, 827, 1169, lines)));
    const page = pdf.addPage([595, 842]);
    page.drawImage(jpg, { x: 0, y: 0, width: 595, height: 842 });
  }
  const file = path.join(work, 'task-sheet.pdf');
  fs.writeFileSync(file, await pdf.save({ useObjectStreams: false }));
  return file;
}

type Lesson = { id: string; unit: string; title: string; clip?: { title: string; subtitle: string; colour: string; hd?: boolean }; sheet?: boolean; image?: boolean };

async function main() {
  const key = loadKey();
  fs.writeFileSync(pubFile, `${JSON.stringify({ keyId: key.keyId, publicKey: key.publicKey }, null, 2)}\n`);
  fs.rmSync(out, { recursive: true, force: true });

  const sheetFile = await taskSheet();
  const sheet = await describeFile(sheetFile);
  const blobs: string[] = [sheetFile];

  const n = (id: string, parent: string | null, kind: ShardNode['kind'], title: string, order: number): ShardNode => ({ id, parent, kind, title, order });

  async function shard(nodes: ShardNode[], lessons: Lesson[]) {
    const resources: ShardResource[] = [];
    for (const [i, l] of lessons.entries()) {
      nodes.push(n(l.id, l.unit, 'lesson', l.title, i + 1));
      if (l.clip) {
        const sd = await makeClip(l.id, l.clip.title, l.clip.subtitle, 360, l.clip.colour);
        const files: ShardResource['files'] = [{ role: 'main', ...(await describeFile(sd)), mime: 'video/mp4', height: 360 }];
        blobs.push(sd);
        if (l.clip.hd) {
          const hd = await makeClip(l.id, l.clip.title, l.clip.subtitle, 720, l.clip.colour);
          files.push({ role: 'main', ...(await describeFile(hd)), mime: 'video/mp4', height: 720 });
          blobs.push(hd);
        }
        const p = await poster(sd, l.id);
        files.push({ role: 'poster', ...(await describeFile(p)), mime: 'image/jpeg' });
        blobs.push(p);
        resources.push({ id: `${l.id}-v1`, node: l.id, type: 'video', title: `${l.clip.title}（第一课时）`, revision: 1, duration: await duration(sd), files });
      }
      if (l.sheet) {
        resources.push({ id: `${l.id}-rw`, node: l.id, type: 'pdf', title: '学习任务单', revision: 1, files: [{ role: 'main', ...sheet, mime: 'application/pdf' }] });
      }
      if (l.image) {
        const img = await makeJpeg(`${l.id}-img`, 1280, 720, [l.title, '三角形三个内角的和是 180°', '∠1 + ∠2 + ∠3 = 180°'], { bg: '0x113a2e', fg: 'white' });
        blobs.push(img);
        resources.push({ id: `${l.id}-tu`, node: l.id, type: 'image', title: `${l.title}·板书图`, revision: 1, files: [{ role: 'main', ...(await describeFile(img)), mime: 'image/jpeg' }] });
      }
    }
    return { nodes, resources };
  }

  const primary = await shard(
    [
      n('xx', null, 'stage', '小学', 1),
      n('xx-2', 'xx', 'grade', '二年级', 2),
      n('xx-2-yw', 'xx-2', 'subject', '语文', 1),
      n('xx-2-yw-tb', 'xx-2-yw', 'edition', '统编版', 1),
      n('xx-2-yw-tb-b', 'xx-2-yw-tb', 'volume', '二年级下册', 2),
      n('xx-2-yw-tb-b-u1', 'xx-2-yw-tb-b', 'unit', '第一单元', 1),
      n('xx-3', 'xx', 'grade', '三年级', 3),
      n('xx-3-yw', 'xx-3', 'subject', '语文', 1),
      n('xx-3-yw-tb', 'xx-3-yw', 'edition', '统编版', 1),
      n('xx-3-yw-tb-a', 'xx-3-yw-tb', 'volume', '三年级上册', 1),
      n('xx-3-yw-tb-a-u1', 'xx-3-yw-tb-a', 'unit', '第一单元', 1),
      n('xx-3-yw-tb-a-u2', 'xx-3-yw-tb-a', 'unit', '第二单元', 2),
      n('xx-3-sx', 'xx-3', 'subject', '数学', 2),
      n('xx-3-sx-rj', 'xx-3-sx', 'edition', '人教版', 1),
      n('xx-3-sx-rj-a', 'xx-3-sx-rj', 'volume', '三年级上册', 1),
      n('xx-3-sx-rj-a-u8', 'xx-3-sx-rj-a', 'unit', '第八单元 分数的初步认识', 8),
      n('xx-4', 'xx', 'grade', '四年级', 4),
      n('xx-4-sx', 'xx-4', 'subject', '数学', 2),
      n('xx-4-sx-rj', 'xx-4-sx', 'edition', '人教版', 1),
      n('xx-4-sx-rj-b', 'xx-4-sx-rj', 'volume', '四年级下册', 2),
      n('xx-4-sx-rj-b-u5', 'xx-4-sx-rj-b', 'unit', '第五单元 三角形', 5),
    ],
    [
      { id: 'l-zcy', unit: 'xx-2-yw-tb-b-u1', title: '2 找春天', clip: { title: '找春天', subtitle: '二年级下册 · 第一单元', colour: '0x2e7d32' }, sheet: true },
      { id: 'l-dqs', unit: 'xx-3-yw-tb-a-u1', title: '1 大青树下的小学', clip: { title: '大青树下的小学', subtitle: '三年级上册 · 第一单元', colour: '0x1b5e20', hd: true }, sheet: true },
      { id: 'l-hdxx', unit: 'xx-3-yw-tb-a-u1', title: '2 花的学校', clip: { title: '花的学校', subtitle: '三年级上册 · 第一单元', colour: '0x6a1b9a' } },
      { id: 'l-bdjyw', unit: 'xx-3-yw-tb-a-u1', title: '3 不懂就要问', sheet: true },
      { id: 'l-pmjs', unit: 'xx-3-yw-tb-a-u2', title: '5 铺满金色巴掌的水泥道', clip: { title: '铺满金色巴掌的水泥道', subtitle: '三年级上册 · 第二单元', colour: '0xe65100' } },
      { id: 'l-fs', unit: 'xx-3-sx-rj-a-u8', title: '分数的初步认识', clip: { title: '分数的初步认识', subtitle: '人教版 · 三年级上册', colour: '0x0d47a1' }, sheet: true },
      { id: 'l-sjxnjh', unit: 'xx-4-sx-rj-b-u5', title: '三角形的内角和', clip: { title: '三角形的内角和', subtitle: '人教版 · 四年级下册', colour: '0x004d40' }, image: true },
      { id: 'l-sjxfl', unit: 'xx-4-sx-rj-b-u5', title: '三角形的分类', sheet: true },
    ],
  );

  const physics = await shard(
    [
      n('cz', null, 'stage', '初中', 2),
      n('cz-8', 'cz', 'grade', '八年级', 8),
      n('cz-8-wl', 'cz-8', 'subject', '物理', 3),
      n('cz-8-wl-rj', 'cz-8-wl', 'edition', '人教版', 1),
      n('cz-8-wl-rj-a', 'cz-8-wl-rj', 'volume', '八年级上册', 1),
      n('cz-8-wl-rj-a-c1', 'cz-8-wl-rj-a', 'unit', '第一章 机械运动', 1),
      n('cz-8-wl-rj-a-c2', 'cz-8-wl-rj-a', 'unit', '第二章 声现象', 2),
    ],
    [
      { id: 'l-cdsj', unit: 'cz-8-wl-rj-a-c1', title: '第1节 长度和时间的测量', clip: { title: '长度和时间的测量', subtitle: '八年级上册 · 第一章', colour: '0x37474f' } },
      { id: 'l-sy', unit: 'cz-8-wl-rj-a-c2', title: '第1节 声音的产生与传播', clip: { title: '声音的产生与传播', subtitle: '八年级上册 · 第二章', colour: '0x4e342e' }, sheet: true },
    ],
  );

  await writeFeed(out, {
    id: 'cn.classboard.demo',
    title: 'Classboard 示例资源库',
    revision: 1,
    published: '2026-11-01T00:00:00Z',
    signingKey: key,
    shards: [
      { path: 'shards/xiaoxue.json', ...primary },
      { path: 'shards/chuzhong-wuli.json', ...physics },
    ],
    blobs: blobs.map((source) => ({ source })),
  });
  fs.rmSync(work, { recursive: true, force: true });
  const total = [...walk(out)].reduce((a, f) => a + fs.statSync(f).size, 0);
  console.log(`demo feed written to ${path.relative(root, out)}: ${primary.resources.length + physics.resources.length} resources, ${(total / 1024).toFixed(0)} KB`);
  console.log(`public key ${key.keyId}=${key.publicKey} (sha256 of feed.json ${sha256Hex(fs.readFileSync(path.join(out, 'feed.json'))).slice(0, 12)}…)`);
}

function* walk(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else yield p;
  }
}

await main();
