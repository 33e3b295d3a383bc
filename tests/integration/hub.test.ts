// The hub host over real services, on a real HTTP server on 127.0.0.1, with the
// embedded demo library imported exactly as on first run.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../../main/hub/server';
import { pickRendition, type ResourceFile } from '../../preload/contract';
import type { Services } from '../../main/services';
import { hubServices } from '../fixtures/services';

let data: string;
let ui: string;
let services: Services;
let hub: Hub;
let guarded: Hub;

beforeAll(async () => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-hub-'));
  ui = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-ui-'));
  fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>Classboard</title>');
  fs.mkdirSync(path.join(ui, 'assets'));
  fs.writeFileSync(path.join(ui, 'assets', 'app.js'), 'console.log(1)');
  services = hubServices(data, '0.0.0-test');
  const demo = await services.ensureDemoLibrary();
  expect(demo?.resources).toBeGreaterThan(5);
  hub = await startHub(services, { port: 0, rendererDir: ui });
  guarded = await startHub(services, { port: 0, rendererDir: ui, token: 's3cret' });
});

afterAll(async () => {
  await hub?.close();
  await guarded?.close();
  services?.close();
  fs.rmSync(data, { recursive: true, force: true });
  fs.rmSync(ui, { recursive: true, force: true });
});

const api = (base: string, channel: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}api/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('hub host', () => {
  it('binds to loopback by default', () => {
    expect(hub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('refuses a LAN address without a token, before binding anything', async () => {
    await expect(startHub(services, { host: '0.0.0.0', port: 0, rendererDir: ui })).rejects.toThrow(/--token/);
  });

  it('answers the contract over POST /api/<channel>', async () => {
    const res = await api(hub.url, 'app:info', {});
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, value: { name: 'Classboard', host: 'hub' } });
    const search = await (await api(hub.url, 'library:search', { query: '三角形' })).json();
    expect(search.ok).toBe(true);
    expect(search.value.total).toBeGreaterThan(0);
    expect(search.value.results[0].title).toContain('三角形');
  });

  it('maps errors to HTTP statuses with the same JSON shape', async () => {
    const bad = await api(hub.url, 'library:search', { query: 7 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect((await api(hub.url, 'no:such', {})).status).toBe(404);
    expect((await api(hub.url, 'library:resource', { id: 'cn.classboard.demo/none' })).status).toBe(404);
    const notJson = await fetch(`${hub.url}api/app:info`, { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
    expect((await fetch(`${hub.url}api/app:info`)).status).toBe(405);
  });

  it('serves a demo video with Range through /media and refuses paths outside the cache', async () => {
    const found = await (await api(hub.url, 'library:search', { query: '大青树' })).json();
    const id = found.value.results.find((r: { type: string }) => r.type === 'video').id;
    const res = await (await api(hub.url, 'library:resource', { id })).json();
    const main = res.value.files.find((f: { role: string; mime: string }) => f.role === 'main' && f.mime === 'video/mp4');
    expect(main.cached).toBe(true);
    expect(main.url).toMatch(/^\/media\/[0-9a-f]{64}$/);
    const url = new URL(main.url, hub.url).href;

    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect((await whole.arrayBuffer()).byteLength).toBe(main.size);

    const start = Math.floor(main.size * 0.8);
    const part = await fetch(url, { headers: { range: `bytes=${start}-` } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes ${start}-${main.size - 1}/${main.size}`);
    expect((await part.arrayBuffer()).byteLength).toBe(main.size - start);

    expect((await fetch(url, { headers: { range: `bytes=${main.size}-` } })).status).toBe(416);
    // The same bytes by resource id (what the player loads before it knows the files).
    const byId = await fetch(`${hub.url}media/resource/${encodeURIComponent(id)}`, { headers: { range: 'bytes=0-99' } });
    expect(byId.status).toBe(206);
    const files: ResourceFile[] = res.value.files;
    expect(byId.headers.get('etag')).toBe(`"${pickRendition(files)!.sha256}"`);
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(main.size));

    // Raw requests so the client does not normalise the dots away. Whatever the
    // status (a dot-segment path may land on the UI's index page), no byte of the
    // library or of a system file comes back.
    fs.writeFileSync(path.join(data, 'cache', 'blobs', 'secret.txt'), 'SECRET-IN-CACHE-FOLDER');
    for (const p of ['/media/../library.db', '/media/%2e%2e%2flibrary.db', '/media/..%2f..%2f..%2fetc%2fpasswd', '/media/secret.txt', '/media/%2e%2e/%2e%2e/library.db']) {
      const body = await new Promise<string>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: hub.port, path: p }, (r) => {
          let b = '';
          r.on('data', (c) => (b += c));
          r.on('end', () => resolve(`${r.statusCode} ${b}`));
        }).on('error', reject);
      });
      expect(body, p).not.toMatch(/SQLite format|root:|SECRET-IN-CACHE/);
      if (p.startsWith('/media/secret')) expect(body.startsWith('404'), p).toBe(true);
    }
  });

  it('serves the teaching UI at / and never a file outside it', async () => {
    const index = await fetch(hub.url);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<title>Classboard</title>');
    expect((await fetch(`${hub.url}assets/app.js`)).headers.get('content-type')).toContain('javascript');
    const escape = await new Promise<string>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: hub.port, path: '/../../../../etc/passwd' }, (r) => {
        let body = '';
        r.on('data', (c) => (body += c));
        r.on('end', () => resolve(body));
      }).on('error', reject);
    });
    expect(escape).not.toContain('root:');
  });

  it('answers a malformed %-escape with 400, never 500, on every route', async () => {
    // Raw requests: fetch would refuse or normalise the URL. Before: 500 "URI malformed" for /, /api/ and a mangled cookie.
    const get = (host: Hub, p: string, headers: Record<string, string> = {}, method = 'GET') =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: host.port, path: p, method, headers }, (r) => {
          let body = '';
          r.on('data', (c) => (body += c));
          r.on('end', () => resolve({ status: r.statusCode!, body }));
        });
        req.on('error', reject);
        req.end(method === 'POST' ? '{}' : undefined);
      });
    for (const [p, method] of [['/%E0', 'GET'], ['/assets/%E0%A4', 'GET'], ['/api/%E0', 'POST']] as const) {
      const r = await get(hub, p, { 'content-type': 'application/json' }, method);
      expect(r.status, p).toBe(400);
      expect(JSON.parse(r.body), p).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringMatching(/编码有误/) } });
    }
    for (const p of ['/media/%E0', '/media/resource/%E0', '/feed/%E0/feed.json']) expect((await get(hub, p)).status, p).toBeLessThan(500);
    expect((await get(guarded, '/api/app:info', { cookie: 'cb_token=%E0', 'content-type': 'application/json' }, 'POST')).status).toBe(401);
  });

  it('requires the token when one is set: 401 without, 200 with a bearer or the cookie from /?token=', async () => {
    expect((await api(guarded.url, 'app:info', {})).status).toBe(401);
    expect((await api(guarded.url, 'app:info', {}, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await api(guarded.url, 'app:info', {}, { authorization: 'Bearer s3cret' })).status).toBe(200);
    const page = await fetch(`${guarded.url}?token=s3cret`);
    const cookie = page.headers.get('set-cookie')!;
    expect(cookie).toMatch(/cb_token=s3cret; HttpOnly; SameSite=Strict/);
    expect((await api(guarded.url, 'app:info', {}, { cookie: cookie.split(';')[0]! })).status).toBe(200);
    expect((await fetch(`${guarded.url}media/${'0'.repeat(64)}`)).status).toBe(401);
  });

  it('streams events over SSE when the library changes', async () => {
    const controller = new AbortController();
    const res = await fetch(`${hub.url}api/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    services.events.emit('library:changed', { feedId: 'cn.classboard.demo', revision: 9 });
    let text = '';
    while (!text.includes('library:changed')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('event: library:changed\ndata: {"feedId":"cn.classboard.demo","revision":9}');
    controller.abort();
  });
});
