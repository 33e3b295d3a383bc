// A school hub restarted (a power cut, an update) while its disk is full: it
// must come up and serve what it holds, read-only, so the classrooms' boards and
// the browser UI can still find and present lessons; only syncing waits for room.
// Real CLI process, real 30 MB tmpfs (root only; CI runs as root). Build lock.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliIn, hubCli } from '../fixtures/cli';
import { fullDiskFolder } from '../fixtures/full-disk-folder';

const folder = fullDiskFolder('cb-hub-full-start-');
const { data, cannotMount } = folder;
const pub = JSON.parse(fs.readFileSync('assets/demo-feed.pub.json', 'utf8')) as { keyId: string; publicKey: string };

afterAll(() => folder.cleanup());

const post = async (url: string, channel: string, body: unknown) => {
  const res = await fetch(`${url}api/${channel}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe.skipIf(cannotMount !== null)(`hub started on a full disk${cannotMount ? ` (skipped: ${cannotMount})` : ''}`, () => {
  it('starts without settings flags and answers search and the tree; sync is refused in words', async () => {
    const added = await cliIn(data, 'feeds', 'add', path.resolve('assets/demo-feed'), '--key', `${pub.keyId}=${pub.publicKey}`);
    expect(added.code, added.stderr).toBe(0);
    expect(folder.fill()).toBe(0);

    // Before: it wrote its (unchanged) settings at start, failed on the full disk and exited 1.
    const hub = await hubCli(data);
    try {
      expect(hub.started, hub.stderr()).toBe(true);
      const found = await post(hub.url, 'library:search', { query: '找春天' });
      expect(found.status).toBe(200);
      expect(JSON.stringify(found.body)).toContain('找春天');
      const tree = await post(hub.url, 'library:tree', { parent: null });
      expect(tree.status).toBe(200);
      // The night's work cannot be done: said plainly, at once.
      const now = await post(hub.url, 'sync:now', {});
      expect(now.status).not.toBe(200);
      expect(JSON.stringify(now.body)).toMatch(/磁盘已满|磁盘.*满/);
    } finally {
      await hub.stop();
    }
  });
});
