// Shared end-to-end setup: the real hub (the built CLI) on a free loopback port
// with a fresh data folder, and Debian's Chromium driven by playwright-core.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from '../fixtures/ports';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

export const SHOTS = path.resolve('test-results', 'screenshots');


export interface RunningHub {
  url: string;
  port: number;
  data: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `classboard hub` as a user would; resolves once it answers. */
export async function startHubProcess(opts: { data?: string; port?: number; args?: string[] } = {}): Promise<RunningHub> {
  const data = opts.data ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-'));
  const port = opts.port ?? (await freePort());
  const child: ChildProcess = spawn(process.execPath, ['bin/classboard.js', '--data', data, 'hub', '--port', String(port), ...(opts.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (c) => (log += c));
  child.stderr!.on('data', (c) => (log += c));
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hub exited early (${child.exitCode}):\n${log}`);
    try {
      const r = await fetch(`${url}api/app:info`, { method: 'POST', body: '{}' });
      if (r.ok || r.status === 401) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`hub did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    port,
    data,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

/** Calls the hub's API as the page does (POST /api/<channel>, JSON both ways). */
export async function hubApi(hub: RunningHub, channel: string, req: unknown): Promise<{ ok: boolean; value: any }> {
  const r = await fetch(`${hub.url}api/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req) });
  return (await r.json()) as { ok: boolean; value: any };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export async function newBoardPage(browser: Browser, width = 1920, height = 1080): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height }, hasTouch: true });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  return page;
}

export async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

export interface BoardSession {
  hub: RunningHub;
  browser: Browser;
  page: Page;
}

/**
 * Registers beforeAll/afterAll for a test file: a fresh hub (own data folder),
 * Chromium, and one 1920×1080 touch page. Read the fields inside tests.
 * `prepare`: what an admin does to the data folder before the hub starts (imports, a timetable).
 */
export function useBoardSession(opts: { prepare?: (data: string) => Promise<void>; hubArgs?: string[] } = {}): BoardSession {
  const session = {} as BoardSession;
  beforeAll(async () => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-'));
    try {
      await opts.prepare?.(data);
    } catch (err) {
      fs.rmSync(data, { recursive: true, force: true });
      throw err;
    }
    session.hub = await startHubProcess({ data, args: opts.hubArgs });
    session.browser = await launchBrowser();
    session.page = await newBoardPage(session.browser);
  });
  afterAll(async () => {
    await session.browser?.close();
    await session.hub?.stop();
    if (session.hub) fs.rmSync(session.hub.data, { recursive: true, force: true });
  });
  return session;
}
