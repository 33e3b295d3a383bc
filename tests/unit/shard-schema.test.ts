// Shards are checked by the schema compiled (z.compile) for speed: it must accept
// and refuse exactly what the schema does, with the same issues in the message,
// and hand back the same data (unknown keys dropped).
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../main/feed/keys';
import { describeIssues, Shard } from '../../main/feed/schema';
import { parseShard } from '../../main/library/catalog';

const good = () => ({
  format: 'classboard-shard/1',
  nodes: [
    { id: 'xx', parent: null, kind: 'stage', title: '小学', order: 1 },
    { id: 'l1', parent: 'xx', kind: 'lesson', title: '春夜喜雨' },
  ],
  resources: [
    {
      id: 'r1',
      node: 'l1',
      type: 'video',
      title: '春夜喜雨（第一课时）',
      revision: 2,
      duration: 600.5,
      files: [{ role: 'main', sha256: 'a'.repeat(64), size: 42, mime: 'video/mp4', height: 720 }],
    },
    { id: 'r2', node: 'l1', type: 'pdf', title: '学习任务单', files: [] },
  ],
});
type Doc = ReturnType<typeof good> & Record<string, unknown>;

const hostile: [string, (d: Doc) => void][] = [
  ['extra keys everywhere', (d) => Object.assign(d, { extra: 1 }, (d.resources[0] as Record<string, unknown>).x = { y: 1 })],
  ['a title over 1000 characters', (d) => (d.resources[0]!.title = '春'.repeat(1001))],
  ['an empty id', (d) => (d.nodes[1]!.id = '')],
  ['an upper-case sha256', (d) => (d.resources[0]!.files[0]!.sha256 = 'A'.repeat(64))],
  ['a short sha256', (d) => (d.resources[0]!.files[0]!.sha256 = 'a'.repeat(63))],
  ['a negative size', (d) => (d.resources[0]!.files[0]!.size = -1)],
  ['a fractional size', (d) => (d.resources[0]!.files[0]!.size = 1.5)],
  ['a zero height', (d) => (d.resources[0]!.files[0]!.height = 0)],
  ['an unknown node kind', (d) => ((d.nodes[0] as { kind: string }).kind = 'chapter')],
  ['an unknown resource type', (d) => ((d.resources[1] as { type: string }).type = 'exe')],
  ['a negative duration', (d) => (d.resources[0]!.duration = -3)],
  ['a string revision', (d) => ((d.resources[0] as Record<string, unknown>).revision = '2')],
  ['no files', (d) => delete (d.resources[1] as Record<string, unknown>).files],
  ['65 files', (d) => (d.resources[1]!.files = Array.from({ length: 65 }, () => ({ ...d.resources[0]!.files[0]! })))],
  ['a missing parent', (d) => delete (d.nodes[1] as Record<string, unknown>).parent],
  ['a wrong format', (d) => (d.format = 'classboard-shard/2')],
  ['nodes not a list', (d) => ((d as Record<string, unknown>).nodes = { 0: d.nodes[0] })],
  ['a null resource', (d) => ((d.resources as unknown[])[1] = null)],
  ['several problems at once', (d) => {
    d.resources[0]!.title = 7 as unknown as string;
    d.resources[1]!.id = '';
    (d.nodes[0] as { kind: string }).kind = 'x';
    d.resources[0]!.files[0]!.mime = 'm'.repeat(2000);
  }],
];

function viaApplier(doc: unknown): { data: unknown } | { error: string } {
  const bytes = Buffer.from(JSON.stringify(doc));
  try {
    return { data: parseShard({ path: 's.json', bytes, sha256: sha256Hex(bytes), size: bytes.length }).shard };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

function viaSchema(doc: unknown): { data: unknown } | { error: string } {
  const r = Shard.safeParse(JSON.parse(JSON.stringify(doc)));
  return r.success ? { data: r.data } : { error: describeIssues(r.error, 'shard s.json') };
}

describe('shard checks', () => {
  it('accept a good shard with the data the schema gives', () => {
    expect(viaApplier(good())).toEqual(viaSchema(good()));
    expect(viaApplier(good())).toHaveProperty('data');
  });
  it.each(hostile)('answer as the schema does for %s', (_, spoil) => {
    const doc = good() as Doc;
    spoil(doc);
    expect(viaApplier(doc)).toEqual(viaSchema(doc));
  });
});
