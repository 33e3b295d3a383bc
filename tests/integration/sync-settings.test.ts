// Settings saved by another process (`classboard settings` on a running hub's
// data folder: its own connection to the same library) are used by the running
// controller, not only shown: its window, its rates and its schedule.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../main/services';
import { hubServices } from '../fixtures/services';

let data: string;
let hub: Services;
const noon = () => new Date('2026-12-01T04:00:00Z'); // 12:00 in Asia/Shanghai: by day

beforeEach(() => {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-sync-settings-'));
  hub = createServices({ dataDir: data, host: 'hub', mediaBase: '/media/', assetsDir: path.resolve('assets'), version: 't', sync: { now: noon, settingsPollMs: 50 } });
  hub.sync.start();
});
afterEach(() => {
  hub.close();
  fs.rmSync(data, { recursive: true, force: true });
});

/** `classboard settings …`: another connection to the same data folder writes the settings, and is gone. */
function settingsElsewhere(patch: Parameters<Services['sync']['configure']>[0]) {
  const admin = hubServices(data, 't');
  try {
    admin.sync.configure(patch);
  } finally {
    admin.close();
  }
}

const shanghaiTime = (d: Date) => new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Shanghai' }).format(d);

describe('sync settings changed by another process', () => {
  it('are in force at once in the status, and within a poll in the schedule', async () => {
    expect(hub.sync.scheduler.bucket.bytesPerSecond).toBe(0); // by day: paused
    settingsElsewhere({ window: '20:00-05:00', nightRate: 250_000, dayRate: 32_000 });
    // The status reads them before answering (before: the old rate and next window, until a restart).
    const status = await hub.sync.status();
    expect(status.rate).toBe(32_000);
    expect(status.mode).toBe('day');
    expect(shanghaiTime(new Date(status.nextWindow!))).toBe('20:00');

    // Nobody asking: the controller notices on its own.
    settingsElsewhere({ window: '23:15-06:00', dayRate: 0 });
    await expect.poll(() => hub.sync.scheduler.config, { timeout: 2000 }).toMatchObject({ start: '23:15', end: '06:00', nightRate: 250_000, dayRate: 0 });
    expect(hub.sync.scheduler.bucket.bytesPerSecond).toBe(0);
    expect(shanghaiTime(hub.sync.scheduler.nextWindow()!)).toBe('23:15');
  });

  it('apply before a run, so a sync started then goes at the new rate', async () => {
    hub.sync.stop(); // no polling: only the run itself can notice
    settingsElsewhere({ nightRate: 125_000 });
    const rates: number[] = [];
    hub.events.subscribe((name) => name === 'sync:finished' && rates.push(hub.sync.scheduler.bucket.bytesPerSecond));
    const run = hub.sync.runNow();
    expect(hub.sync.scheduler.bucket.bytesPerSecond).toBe(125_000); // a manual run goes at the night rate
    await run;
    expect(rates).toEqual([125_000]);
  });

  it('a damaged row written elsewhere leaves the hub running, on the settings it had', async () => {
    settingsElsewhere({ window: '20:00-05:00' });
    await expect.poll(() => hub.sync.scheduler.config, { timeout: 2000 }).toMatchObject({ start: '20:00' });
    // Half a row, as a write cut short might leave it: before, the poll threw from its timer and the hub exited.
    const other = hubServices(data, 't');
    other.db.prepare("UPDATE settings SET value = '{\"window\":\"21:' WHERE key = 'sync.settings'").run();
    other.close();
    await new Promise((r) => setTimeout(r, 300)); // several polls
    expect(hub.sync.scheduler.config).toMatchObject({ start: '20:00', end: '05:00' });
    expect((await hub.sync.status()).mode).toBe('paused');
  });
});
