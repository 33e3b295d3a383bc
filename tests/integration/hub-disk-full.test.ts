// A school hub whose own disk is full (its cache on a real 1 MiB tmpfs): a
// classroom asking for a file the hub cannot keep is told why (HTTP 507, in
// words), moves on at once instead of asking again and again, and the platform
// is not asked for the same file over and over.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import { startHub, type Hub } from '../../main/hub/server';
import type { Services } from '../../main/services';
import { syncAll } from '../../main/sync/engine';
import { createFeedMirror } from '../../main/sync/mirror';
import { sha256, writeBlobFeed } from '../fixtures/feeds';
import { startNginx, type Nginx } from '../fixtures/nginx';
import { hubServices } from '../fixtures/services';
import { mountTmpfs, unmountTmpfs } from '../fixtures/tmpfs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-hub-full-'));
const hubCache = path.join(tmp, 'hub', 'cache');
const cannotMount = mountTmpfs(hubCache, '1m');

const key = generateSigningKey('smartedu-2026');
const trust = { keys: { [key.keyId]: key.publicKey } };
const blobs = [0, 1].map(() => crypto.randomBytes(600 * 1024));
let nginx: Nginx;
let school: Services;
let classroom: Services;
let hub: Hub;
const logged: string[] = [];

describe.skipIf(cannotMount !== null)(`a hub whose disk is full${cannotMount ? ` (skipped: cannot mount a tmpfs: ${cannotMount})` : ''}`, () => {
  beforeAll(async () => {
    await writeBlobFeed(path.join(tmp, 'www', 'basic'), { id: 'cn.smartedu.basic', title: '国家中小学智慧教育平台', key, blobs, lesson: '满盘' });
    nginx = await startNginx(path.join(tmp, 'www'));
    school = hubServices(path.join(tmp, 'hub'), 't');
    await school.importFeed(`${nginx.url}basic/`, trust);
    hub = await startHub(school, { port: 0, rendererDir: path.join(tmp, 'ui'), routes: [createFeedMirror(school, { log: (m) => logged.push(m) })] });
    classroom = hubServices(path.join(tmp, 'classroom'), 't');
    await classroom.importFeed(`${hub.url}feed/cn.smartedu.basic/`, trust);
  });
  afterAll(async () => {
    await hub?.close();
    school?.close();
    classroom?.close();
    await nginx?.stop();
    unmountTmpfs(hubCache);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('tells the classroom its disk is full, once, instead of "upstream unavailable" five times', async () => {
    const s = await syncAll(classroom, { concurrency: 1 });
    // One of the two fits on the hub's disk; the other cannot be kept there.
    expect(s.downloaded.files).toBe(1);
    expect(s.failed).toHaveLength(1);
    // Before: "… answered HTTP 502", and the cause (the hub's disk) never reached the classroom.
    expect(s.failed[0]!.error).toMatch(/HTTP 507.*中心服务的磁盘已满/);
    // Not "服务器上找不到" (missing) nor "连不上" (unreachable): the page shows the hub's own words.
    expect(s.failed[0]!.reason).toBe('other');
    const failedSha = s.failed[0]!.sha256;
    expect(blobs.map(sha256)).toContain(failedSha);
    // Before: the classroom retried a 502 with backoff and the hub asked the platform each time.
    const asked = (await nginx.settled()).filter((l) => l.includes(failedSha));
    expect(asked.length).toBeLessThanOrEqual(2);
    expect(logged.join('\n')).toMatch(/磁盘已满/);
  });
});
