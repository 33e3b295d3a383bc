import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleMediaRequest, parseRange, type MediaLookup } from '../../main/media/range';

let dir: string;
let bytes: Buffer;
let sha: string;
let lookup: MediaLookup;
const touched: string[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-media-'));
  bytes = crypto.randomBytes(100_000);
  sha = crypto.createHash('sha256').update(bytes).digest('hex');
  fs.mkdirSync(path.join(dir, sha.slice(0, 2)));
  fs.writeFileSync(path.join(dir, sha.slice(0, 2), sha), bytes);
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'not media');
  lookup = {
    fileFor: (s) => (fs.existsSync(path.join(dir, s.slice(0, 2), s)) ? path.join(dir, s.slice(0, 2), s) : null),
    resourceBlob: (id) => (id === 'demo/r-1' ? sha : null),
    mimeFor: () => 'video/mp4',
    touched: (s) => touched.push(s),
  };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const get = (url: string, headers: Record<string, string> = {}, method = 'GET') =>
  handleMediaRequest({ method, url, headers: new Headers(headers) }, lookup);

describe('media handler', () => {
  it('serves the whole file with 200, its type, a strong ETag and Accept-Ranges', async () => {
    const res = await get(`http://hub/media/${sha}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('etag')).toBe(`"${sha}"`);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect(touched).toContain(sha);
  });

  it('answers a byte range with 206 and exactly those bytes (a seek)', async () => {
    const res = await get(`cb-media://media/${sha}`, { range: 'bytes=80000-80999' });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 80000-80999/${bytes.length}`);
    expect(res.headers.get('content-length')).toBe('1000');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(80000, 81000))).toBe(true);
  });

  it('plays a resource by id: its rendition resolved by the host, with the same ETag and Range', async () => {
    const res = await get(`http://hub/media/resource/${encodeURIComponent('demo/r-1')}`, { range: 'bytes=10-19' });
    expect(res.status).toBe(206);
    expect(res.headers.get('etag')).toBe(`"${sha}"`);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true);
    expect((await get(`cb-media://media/resource/${encodeURIComponent('demo/r-1')}`)).status).toBe(200);
    expect((await get(`http://hub/media/resource/${encodeURIComponent('demo/none')}`)).status).toBe(404);
    expect((await get('http://hub/media/resource/%E0%A4%A')).status).toBe(404);
  });

  it('handles open-ended and suffix ranges', async () => {
    const open = await get(`http://hub/media/${sha}`, { range: 'bytes=99990-' });
    expect(open.status).toBe(206);
    expect(Buffer.from(await open.arrayBuffer()).equals(bytes.subarray(99990))).toBe(true);
    const suffix = await get(`http://hub/media/${sha}`, { range: 'bytes=-10' });
    expect(suffix.headers.get('content-range')).toBe(`bytes 99990-99999/${bytes.length}`);
  });

  it('answers 416 with the size for a range past the end', async () => {
    const res = await get(`http://hub/media/${sha}`, { range: 'bytes=100000-' });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
  });

  it('sends the whole file when If-Range does not match', async () => {
    const res = await get(`http://hub/media/${sha}`, { range: 'bytes=0-9', 'if-range': '"other"' });
    expect(res.status).toBe(200);
    const ok = await get(`http://hub/media/${sha}`, { range: 'bytes=0-9', 'if-range': `"${sha}"` });
    expect(ok.status).toBe(206);
  });

  it('answers HEAD with headers only', async () => {
    const res = await get(`http://hub/media/${sha}`, { range: 'bytes=0-99' }, 'HEAD');
    expect(res.status).toBe(206);
    expect(res.headers.get('content-length')).toBe('100');
    expect(res.body).toBeNull();
  });

  it('never serves anything but a content-addressed name from the cache', async () => {
    for (const p of ['../secret.txt', '..%2Fsecret.txt', 'secret.txt', `${sha.slice(0, 63)}`, `${sha.toUpperCase()}`, '%2e%2e/%2e%2e/etc/passwd']) {
      const res = await get(`http://hub/media/${p}`);
      expect(res.status, p).toBe(404);
    }
    expect((await get(`http://hub/media/${'0'.repeat(64)}`)).status).toBe(404);
    expect((await get(`http://hub/media/${sha}`, {}, 'POST')).status).toBe(405);
  });

  it('answers 304 to If-None-Match as a cache between asks it: the tag, a list holding it, its weak form, or *', async () => {
    for (const inm of [`"${sha}"`, `"other", "${sha}"`, `W/"${sha}"`, '*']) {
      const res = await get(`http://hub/media/${sha}`, { 'if-none-match': inm });
      // Before: only the exact tag; a proxy's list or weak tag got the whole file again.
      expect(res.status, inm).toBe(304);
    }
    expect((await get(`http://hub/media/${sha}`, { 'if-none-match': '"other"' })).status).toBe(200);
  });

  it('parses ranges like a server must', () => {
    expect(parseRange('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
    expect(parseRange('bytes=5-100', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange('bytes=0-1,4-5', 10)).toBeNull();
    expect(parseRange('items=0-1', 10)).toBeNull();
    expect(parseRange('bytes=7-3', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 10)).toBe('unsatisfiable');
  });
});
