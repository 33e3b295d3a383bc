// A lesson on any screen slows the sync; a screen that leaves, or that goes away
// without saying so, stops counting.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPresence } from '../../main/sync/presence';
import { hubServices } from '../fixtures/services';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('presence', () => {
  const closers: (() => void)[] = [];
  afterEach(() => closers.splice(0).forEach((c) => c()));

  it('a board leaving its lesson does not end another board’s', () => {
    const p = createPresence();
    closers.push(() => p.close());
    const seen: boolean[] = [];
    p.listeners.add((on) => seen.push(on));
    p.set('a', true);
    p.set('b', true);
    p.set('a', false);
    expect(p.current).toBe(true);
    p.set('b', false);
    expect(p.current).toBe(false);
    expect(seen).toEqual([true, false]);
  });

  it('a screen that stops renewing (a closed tab, a board switched off) ends by itself', async () => {
    const p = createPresence({ leaseMs: 150 });
    closers.push(() => p.close());
    const seen: boolean[] = [];
    p.listeners.add((on) => seen.push(on));
    p.set('gone', true);
    p.set('here', true);
    for (let i = 0; i < 4; i++) {
      await sleep(75);
      p.set('here', true); // renewed, as the page does
    }
    expect(p.current).toBe(true);
    await sleep(250);
    expect(p.current).toBe(false);
    expect(seen).toEqual([true, false]);
  });

  it('a flood of screen ids cannot grow without bound: the oldest lease makes room', () => {
    const p = createPresence();
    closers.push(() => p.close());
    for (let i = 0; i < 100_000; i++) p.set(`flood-${i}`, true);
    expect(p.current).toBe(true);
    for (let i = 0; i < 100_000; i++) p.set(`flood-${i}`, false);
    expect(p.current).toBe(false);
  });

  it('through the API: the sync page shows 上课 while any screen presents; a call without a screen is refused', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-presence-'));
    const services = hubServices(dir);
    closers.push(() => {
      services.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const invoke = services.router.invoke;
    expect((await invoke('sync:presenting', { screen: 'a', presenting: true })).ok).toBe(true);
    await invoke('sync:presenting', { screen: 'b', presenting: true });
    await invoke('sync:presenting', { screen: 'a', presenting: false });
    const mid = await invoke('sync:status', {});
    expect(mid.ok && mid.value.mode).toBe('presenting');
    const bad = await invoke('sync:presenting', { presenting: true } as never);
    expect(bad.ok).toBe(false);
    await invoke('sync:presenting', { screen: 'b', presenting: false });
    const after = await invoke('sync:status', {});
    expect(after.ok && after.value.mode).not.toBe('presenting');
  });
});
