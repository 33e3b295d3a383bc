// A teacher going from one lesson's 学习任务单 to another's waits for pdf.js's worker
// (1.2 MB of script to compile on a slow board PC) only once: it is started at the
// first tap and kept, not started again for each PDF.
import { expect, it } from 'vitest';
import { useBoardSession } from './harness';

const session = useBoardSession();

it('a second PDF opens on the worker the first one started', async () => {
  const page = session.page;
  let workers = 0;
  page.on('worker', () => (workers += 1));
  const canvas = page.locator('canvas.pdf-page');
  await page.goto(session.hub.url); // once: the board stays on one page all day
  for (const n of [0, 1]) {
    await page.getByRole('searchbox').fill('学习任务单');
    await page.getByRole('button', { name: /学习任务单/ }).nth(n).click();
    await expect.poll(() => canvas.getAttribute('data-rendered-page'), { timeout: 20_000 }).toBe('1');
    // Leave the PDF in the page, as a tap on 返回 would: its document is destroyed.
    await page.evaluate(() => (window.location.hash = '#/'));
    await page.getByRole('searchbox').waitFor();
  }
  expect(workers).toBe(1);
});
