// A board started on a full disk (its data folder on a real 30 MB tmpfs, filled
// by another program; root only, as cli-full-disk.test.ts): the library opens
// alone (exclusive locking, db.ts openOnFullDisk), so the reads worker threads
// did on their own connections run on that one. A teacher can still search for
// her lesson, and the sync page still shows the selection tree and the queue.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openedOnFullDisk } from '../../main/library/db';
import { createServices, type Services } from '../../main/services';
import { fullDiskFolder } from '../fixtures/full-disk-folder';

const folder = fullDiskFolder('cb-full-reads-');
const { data, cannotMount, inOtherProcess } = folder;
let services: Services | null = null;

afterAll(() => {
  services?.close();
  folder.cleanup();
});

async function ok<T>(r: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const res = await r;
  if (!res.ok) throw new Error(res.error.message);
  return res.value;
}

describe.skipIf(cannotMount !== null)(`reads on a library opened on a full disk${cannotMount ? ` (skipped: cannot mount a tmpfs: ${cannotMount})` : ''}`, () => {
  it('finds a lesson at once and shows the sync page', async () => {
    // The board shut down the evening before, cleanly.
    inOtherProcess('await s.ensureDemoLibrary();');
    expect(fs.readdirSync(data).filter((f) => f.startsWith('library.db'))).toEqual(['library.db']);
    expect(folder.fill()).toBe(0);

    // As `classboard hub` and the app start: the search layout warmed at once.
    const s = (services = createServices({ dataDir: data, host: 'hub', mediaBase: '/media/', assetsDir: path.resolve('assets'), version: 'test', warmAtStart: true }));
    expect(openedOnFullDisk(s.db)).toBe(true);
    const started = performance.now();
    const found = await ok(s.router.invoke('library:search', { query: '找春天' }));
    // Before: the first search waited for the warm-up's worker, which waited 5 s for the lock and failed.
    expect(performance.now() - started).toBeLessThan(3000);
    expect(found.results.map((r) => r.title)).toContain('找春天（第一课时）');
    expect(found.results[0]).toMatchObject({ title: '找春天（第一课时）', path: expect.arrayContaining(['二年级下册', '第一单元']) });

    // Before: "database is locked" after a 5 s wait, for the tree and for the page's status.
    const top = await ok(s.router.invoke('sync:selection', { parent: null }));
    expect(top.nodes.map((n) => n.title)).toEqual(['小学', '初中']);
    expect(top.totalBytes).toBeGreaterThan(0);
    const below = await ok(s.router.invoke('sync:selection', { parent: top.nodes[0]!.id }));
    expect(below.trail.map((t) => t.title)).toEqual(['小学']);
    expect(below.nodes.length).toBeGreaterThan(0);
    const status = await ok(s.router.invoke('sync:status', {}));
    expect(status.disk.freeBytes).toBe(0);
    expect(status.queued).toEqual({ files: 0, bytes: 0 });

    s.close();
    services = null;
  }, 90_000);

  it('with room again, opens as usual and reads as before', () => {
    folder.makeRoom();
    const seen = inOtherProcess(`
      const { openedOnFullDisk } = await import(${JSON.stringify(path.resolve('main/library/db.ts'))});
      const found = await s.router.invoke('library:search', { query: '找春天' });
      const top = await s.router.invoke('sync:selection', { parent: null });
      return { full: openedOnFullDisk(s.db), first: found.value?.results[0]?.title, top: top.value?.nodes.map((n) => n.title) };`);
    expect(seen).toEqual({ full: false, first: '找春天（第一课时）', top: ['小学', '初中'] });
  }, 60_000);
});
