// The desktop app end to end, through Playwright's Electron driver. It runs
// wherever Electron's binary is present (a developer's PC, a packaging job); on
// machines that cannot download the binary it is skipped, and the same UI is
// covered through the hub in the other e2e tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels } from '../../preload/contract';

const electronDir = path.resolve('node_modules/electron');
const pathTxt = path.join(electronDir, 'path.txt');
const binary = fs.existsSync(pathTxt) ? path.join(electronDir, 'dist', fs.readFileSync(pathTxt, 'utf8').trim()) : null;
const hasElectron = binary !== null && fs.existsSync(binary);

describe.skipIf(!hasElectron)('desktop app (needs the Electron binary; not downloadable on CI machines)', () => {
  let app: ElectronApplication;
  let data: string;

  beforeAll(async () => {
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-electron-'));
    app = await _electron.launch({
      executablePath: binary!,
      args: ['.', '--no-sandbox'],
      env: { ...process.env, CLASSBOARD_DATA: data },
    });
  });
  afterAll(async () => {
    await app?.close();
    fs.rmSync(data, { recursive: true, force: true });
  });

  it('opens full screen with an isolated renderer that sees exactly the contract', async () => {
    const page = await app.firstWindow();
    const exposed = await page.evaluate(() => ({
      keys: Object.keys((window as unknown as { classboard: object }).classboard).sort(),
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
    }));
    expect(exposed.keys).toEqual([...channels, 'on'].sort());
    expect(exposed.require).toBe('undefined');
    expect(exposed.process).toBe('undefined');
    const fullScreen = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.isFullScreen());
    expect(fullScreen).toBe(true);
  });

  it('finds a demo lesson and plays its video through the media scheme, seeking with Range', async () => {
    const page = await app.firstWindow();
    await page.getByRole('searchbox').fill('三角形');
    await page.getByRole('button', { name: /三角形/ }).first().click();
    const video = page.locator('video').first();
    await video.waitFor();
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 0.5, null, { timeout: 20_000 });
    const target = await video.evaluate((v: HTMLVideoElement) => {
      v.currentTime = v.duration * 0.8;
      return v.duration * 0.8;
    });
    await page.waitForFunction((t) => Math.abs((document.querySelector('video')?.currentTime ?? 0) - t) < 2, target);
    const navigated = await page.evaluate(() => {
      window.location.href = 'https://example.org/';
      return new Promise((r) => setTimeout(() => r(window.location.protocol), 500));
    });
    expect(navigated).not.toBe('https:');
  });
});
