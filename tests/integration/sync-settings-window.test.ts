// A night window moved so that it already holds the clock (an admin at 22:30 moving
// 23:00–06:00 to 22:00–06:30) gets tonight's run at once, whether the settings come
// from another process (`classboard settings` on a running hub's data folder) or
// from the sync page (sync:configure); a new rate after tonight's run starts none.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../main/services';
import { hubServices } from '../fixtures/services';

let data: string;
let hub: Services;
let finished: number;
const morning = () => new Date('2026-11-30T23:41:00Z'); // 07:41 in Asia/Shanghai: after 22:00–06:30

beforeEach(() => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-sync-window-'));
  hub = createServices({ dataDir: data, host: 'hub', mediaBase: '/media/', assetsDir: path.resolve('assets'), version: 't', sync: { now: morning, settingsPollMs: 50 } });
  finished = 0;
  hub.events.subscribe((name) => name === 'sync:finished' && finished++);
  hub.sync.start();
});
afterEach(() => {
  hub.close();
  fs.rmSync(data, { recursive: true, force: true });
});

describe('a night window moved to hold the clock', () => {
  it('runs tonight\'s sync when another process saved it, and only once', async () => {
    expect(hub.sync.scheduler.isRunning).toBe(false);
    const admin = hubServices(data, 't');
    try {
      admin.sync.configure({ window: '07:40-10:00' });
    } finally {
      admin.close();
    }
    // Before: the hub took the settings, said so, and waited for tomorrow's 07:40.
    await expect.poll(() => finished, { timeout: 5000 }).toBe(1);
    expect((await hub.sync.status()).mode).toBe('night');
    hub.sync.configure({ nightRate: 125_000 }); // a new rate after tonight's run
    await new Promise((r) => setTimeout(r, 300));
    expect(hub.sync.scheduler.isRunning).toBe(false);
    expect(finished).toBe(1);
  });

  it('runs tonight\'s sync when the sync page saved it', async () => {
    hub.sync.configure({ window: '07:40-10:00' });
    await expect.poll(() => finished, { timeout: 5000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(finished).toBe(1);
  });
});
