// Real ink on the board through Chromium's touch input (CDP), against the hub:
// five fingers at once, a palm that erases, undo/redo, and ink that survives a
// reload and a hub killed with SIGKILL.
import type { CDPSession, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { shot, startHubProcess, useBoardSession, type RunningHub } from './harness';

const session = useBoardSession();
let hub: RunningHub;
let page: Page;
let cdp: CDPSession;

type Touch = { x: number; y: number; id: number; radiusX?: number; radiusY?: number };

async function touch(type: 'touchStart' | 'touchMove' | 'touchEnd', touchPoints: Touch[]) {
  await cdp.send('Input.dispatchTouchEvent', { type, touchPoints: touchPoints.map((p) => ({ radiusX: 2, radiusY: 2, force: 0.5, ...p })) });
}

/** Fingers down at `starts`, moved together `dx,dy` in `steps`, lifted. */
async function gesture(starts: Touch[], dx: number, dy: number, steps = 8) {
  await touch('touchStart', starts);
  for (let i = 1; i <= steps; i++) {
    await touch(
      'touchMove',
      starts.map((p) => ({ ...p, x: p.x + (dx * i) / steps, y: p.y + (dy * i) / steps })),
    );
  }
  await touch('touchEnd', []);
}

const strokeCount = () => page.locator('canvas.ink-layer__live').getAttribute('data-stroke-count').then(Number);

async function openImageLesson() {
  await page.goto(hub.url);
  await page.getByRole('searchbox').fill('板书图');
  await page.getByRole('button', { name: /三角形的内角和·板书图/ }).click();
  await page.locator('canvas.ink-layer__live').waitFor();
}

beforeAll(async () => {
  ({ hub, page } = session);
  cdp = await page.context().newCDPSession(page);
});

describe('ink on the board', () => {
  it('five fingers writing at once leave five strokes', async () => {
    await openImageLesson();
    await page.getByRole('button', { name: '笔', exact: true }).click();
    const fingers = [0, 1, 2, 3, 4].map((i) => ({ id: i + 1, x: 300 + i * 220, y: 300 }));
    await gesture(fingers, 120, 260);
    await expect.poll(strokeCount).toBe(5);
    await shot(page, 'ink-five-fingers');
  });

  it('a palm erases what it touches, and undo/redo bring it back and take it away', async () => {
    // A broad contact (radius 40 px) over the first two strokes' paths.
    await gesture([{ id: 9, x: 300, y: 420, radiusX: 40, radiusY: 40 }], 300, 40, 10);
    await expect.poll(strokeCount).toBe(3);
    await page.getByRole('button', { name: '撤销' }).click();
    await expect.poll(strokeCount).toBe(5);
    await page.getByRole('button', { name: '重做' }).click();
    await expect.poll(strokeCount).toBe(3);
    await page.getByRole('button', { name: '撤销' }).click();
    await expect.poll(strokeCount).toBe(5);
    await shot(page, 'ink-after-undo');
  });

  it('keeps the ink across a page reload', async () => {
    await expect.poll(() => page.locator('canvas.ink-layer__live').getAttribute('data-unsaved')).toBe('0');
    await page.reload();
    await page.locator('canvas.ink-layer__live').waitFor();
    await expect.poll(strokeCount).toBe(5);
  });

  it('keeps every finished stroke when the hub is killed and restarted', async () => {
    await page.getByRole('button', { name: '笔', exact: true }).click();
    await gesture([{ id: 21, x: 900, y: 800 }], 200, 0);
    await expect.poll(strokeCount).toBe(6);
    await expect.poll(() => page.locator('canvas.ink-layer__live').getAttribute('data-unsaved')).toBe('0');
    const { data, port } = hub;
    await hub.stop('SIGKILL');
    hub = await startHubProcess({ data, port });
    session.hub = hub; // so the session stops the restarted hub
    await openImageLesson();
    await expect.poll(strokeCount).toBe(6);
    await shot(page, 'ink-after-hub-kill');
  });
});
