// An admin's --key for a feed already subscribed, on a night its feed.json has not
// changed (nginx answers 304, or the same bytes): the key is checked against the
// kept feed.json and its signature before it is saved, so a typo is refused now
// and not found at the platform's next publication, days later.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../main/feed/keys';
import type { Services } from '../../main/services';
import { writeBlobFeed } from '../fixtures/feeds';
import { startNginx, type Nginx } from '../fixtures/nginx';
import { hubServices } from '../fixtures/services';

let tmp: string;
let www: string;
let nginx: Nginx;
let services: Services;
const key = generateSigningKey('smartedu-2026');
/** Another valid key under the same id: the admin's typo. */
const wrong = generateSigningKey('smartedu-2026');
const FEED = 'cn.smartedu.basic';

async function publish(revision: number) {
  await writeBlobFeed(path.join(www, 'basic'), { id: FEED, title: '国家中小学智慧教育平台', revision, key, blobs: [Buffer.from(`第 ${revision} 版`)] });
  // nginx's ETag is mtime (in seconds) + size: each publication its own.
  const t = new Date(Date.UTC(2026, 10, 20 + revision));
  fs.utimesSync(path.join(www, 'basic', 'feed.json'), t, t);
}

const storedKeys = () => JSON.parse(services.db.prepare('SELECT keys_json FROM feeds WHERE id = ?').pluck().get(FEED) as string);
const kept = (f: string) => path.join(tmp, 'data', 'feeds', FEED, f);

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-feed-keys-'));
  www = path.join(tmp, 'www');
  fs.mkdirSync(www);
  await publish(1);
  nginx = await startNginx(www);
  services = hubServices(path.join(tmp, 'data'), 't');
});
afterAll(async () => {
  services?.close();
  await nginx?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('a --key given for a feed whose index has not changed', () => {
  const url = () => `${nginx.url}basic/`;

  it('is checked against the kept feed.json on a 304: a wrong key is refused and not saved', async () => {
    expect(await services.importFeed(url(), { keys: { [key.keyId]: key.publicKey } })).toMatchObject({ outcome: 'applied', revision: 1 });
    const before = (await nginx.settled()).length;
    // Before: 'unchanged', and the wrong key replaced the trusted one.
    await expect(services.importFeed(url(), { keys: { [wrong.keyId]: wrong.publicKey } })).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringMatching(/^--key smartedu-2026 无法验证资源库 cn\.smartedu\.basic 的签名，未保存；请核对平台提供的公钥 \/ .*--key smartedu-2026/),
    });
    expect((await nginx.settled()).slice(before)).toEqual([expect.stringMatching(/^304 GET \/basic\/feed\.json/)]);
    expect(storedKeys()).toEqual({ [key.keyId]: key.publicKey });
    // The right key, given again, is taken as before.
    expect(await services.importFeed(url(), { keys: { [key.keyId]: key.publicKey } })).toMatchObject({ outcome: 'unchanged' });
  });

  it('fetches feed.json whole when its kept signature is lost, so the key can still be checked', async () => {
    fs.rmSync(kept('feed.json.sig'));
    const before = (await nginx.settled()).length;
    await expect(services.importFeed(url(), { keys: { [wrong.keyId]: wrong.publicKey } })).rejects.toThrow(/--key smartedu-2026 无法验证资源库/);
    expect((await nginx.settled()).slice(before)).toContainEqual(expect.stringMatching(/^200 GET \/basic\/feed\.json /));
    expect(storedKeys()).toEqual({ [key.keyId]: key.publicKey });
    // The night's check without a key keeps the signature again, and then asks with its validators.
    expect(await services.importFeed(url())).toMatchObject({ outcome: 'unchanged' });
    expect(fs.readFileSync(kept('feed.json.sig'))).toEqual(fs.readFileSync(path.join(www, 'basic', 'feed.json.sig')));
    const again = (await nginx.settled()).length;
    expect(await services.importFeed(url())).toMatchObject({ outcome: 'unchanged' });
    expect((await nginx.settled()).slice(again)).toEqual([expect.stringMatching(/^304 GET \/basic\/feed\.json/)]);
  });

  it('is refused the same way when the index comes whole but unchanged (a folder with the same feed)', async () => {
    await expect(services.importFeed(path.join(www, 'basic'), { keys: { [wrong.keyId]: wrong.publicKey } })).rejects.toThrow(
      /^--key smartedu-2026 无法验证资源库 cn\.smartedu\.basic 的签名，未保存/,
    );
    expect(storedKeys()).toEqual({ [key.keyId]: key.publicKey });
  });

  it('leaves the trusted key in place: the next publication applies', async () => {
    await publish(2);
    expect(await services.importFeed(url())).toMatchObject({ outcome: 'applied', revision: 2 });
  });

  it('a wrong key on a changed index is refused as a bad signature that names --key; an unknown key id says to add it, in both languages', async () => {
    await publish(3);
    await expect(services.importFeed(url(), { keys: { [wrong.keyId]: wrong.publicKey } })).rejects.toThrow(
      /资源库 cn\.smartedu\.basic 的签名无效，已拒绝；请核对 --key smartedu-2026 是否为平台提供的公钥 \/ .*--key/,
    );
    expect(storedKeys()).toEqual({ [key.keyId]: key.publicKey });
    const fresh = hubServices(path.join(tmp, 'fresh'), 't');
    try {
      await expect(fresh.importFeed(url())).rejects.toThrow(/的签名密钥 smartedu-2026 不受信任，请用 --key 添加平台提供的公钥 \/ .*add it with --key/);
    } finally {
      fresh.close();
    }
    expect(await services.importFeed(url())).toMatchObject({ outcome: 'applied', revision: 3 });
  });
});
