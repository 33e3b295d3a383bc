// The set-up the sync end-to-end tests share: a signed feed on a real nginx,
// subscribed by the built CLI as an admin would, the hub started on that data
// folder with no schedule (only the page's buttons fetch anything), and Chromium.
// Each test writes its own feed and picks its own settings.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { SigningKey } from '../../main/feed/keys';
import { writeFeed, type WriteFeedOptions } from '../../main/feed/write';
import { cliIn } from '../fixtures/cli';
import { startHoldingServer, type HoldingServer } from '../fixtures/holding-server';
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

/**
 * startSyncBoard on a feed whose files come from a holding server on 127.0.0.1
 * (tests/fixtures/holding-server.ts) instead of nginx, so the test can hold one
 * file's answer while it changes something: serves `files` there, writes `feed`
 * (signed by `key`, that server its blob base) at tmp/www/feed/, then the board
 * on tmp/data. stopSyncBoard closes the server too.
 */
export async function startHeldSyncBoard(opts: {
  tmp: string;
  key: SigningKey;
  feed: Omit<WriteFeedOptions, 'signingKey' | 'blobBases' | 'blobs'>;
  files: Buffer[];
  prepare?: (data: string) => Promise<void>;
}): Promise<SyncBoard & { blobs: HoldingServer }> {
  const blobs = await startHoldingServer(opts.files);
  try {
    const www = path.join(opts.tmp, 'www');
    await writeFeed(path.join(www, 'feed'), { ...opts.feed, signingKey: opts.key, blobBases: [blobs.url] });
    return { ...(await startSyncBoard({ www, data: path.join(opts.tmp, 'data'), key: opts.key, prepare: opts.prepare })), blobs };
  } catch (err) {
    await blobs.close();
    throw err;
  }
}

/** Stops whatever startSyncBoard (or startHeldSyncBoard) got to start, then removes the test's folder. */
export async function stopSyncBoard(board: Partial<SyncBoard & { blobs: HoldingServer }>, tmp: string | undefined): Promise<void> {
  await board.browser?.close();
  await board.hub?.stop();
  await board.nginx?.stop();
  await board.blobs?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}
