// The set-up the sync end-to-end tests share: a signed feed on a real nginx,
// subscribed by the built CLI as an admin would, the hub started on that data
// folder with no schedule (only the page's buttons fetch anything), and Chromium.
// Each test writes its own feed and picks its own settings.
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { SigningKey } from '../../main/feed/keys';
import { cliIn } from '../fixtures/cli';
import { startNginx, type Nginx } from '../fixtures/nginx';
import { launchBrowser, newBoardPage, startHubProcess, type RunningHub } from './harness';

export interface SyncBoard {
  nginx: Nginx;
  hub: RunningHub;
  browser: Browser;
  page: Page;
}

/** `classboard --data data ...args`, as an admin types it; throws with its output unless it exits 0. */
export async function admin(data: string, ...args: string[]): Promise<void> {
  const r = await cliIn(data, ...args);
  if (r.code !== 0) throw new Error(`classboard ${args.join(' ')} exited ${r.code}:\n${r.stdout}${r.stderr}`);
}

/**
 * Serves `www` on nginx, subscribes `data` to the feed at www/feed/ (signed by
 * `key`), runs `prepare` (settings, a first sync), then starts the hub and a page.
 */
export async function startSyncBoard(opts: { www: string; data: string; key: SigningKey; prepare?: (data: string) => Promise<void> }): Promise<SyncBoard> {
  const board: Partial<SyncBoard> = {};
  try {
    board.nginx = await startNginx(opts.www);
    await admin(opts.data, 'feeds', 'add', `${board.nginx.url}feed/`, '--key', `${opts.key.keyId}=${opts.key.publicKey}`);
    await opts.prepare?.(opts.data);
    board.hub = await startHubProcess({ data: opts.data, args: ['--no-schedule'] });
    board.browser = await launchBrowser();
    board.page = await newBoardPage(board.browser);
    return board as SyncBoard;
  } catch (err) {
    // afterAll never sees a half-started board: stop its parts here.
    await stopSyncBoard(board, undefined);
    throw err;
  }
}

/** Stops whatever startSyncBoard got to start, then removes the test's folder. */
export async function stopSyncBoard(board: Partial<SyncBoard>, tmp: string | undefined): Promise<void> {
  await board.browser?.close();
  await board.hub?.stop();
  await board.nginx?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}
