// The board reaches the hub over the school's LAN: if pdf.js's worker script does not
// arrive (the link dropped at that moment), the 学习任务单 says it could not open, in
// words, rather than showing 正在加载 for the rest of the lesson; and the next try,
// with the link back, opens it without a reload.
import { expect, it } from 'vitest';
import { useBoardSession } from './harness';

const session = useBoardSession();

it('a worker that cannot load fails the PDF in words, and the next open works', async () => {
  const page = session.page;
  const canvas = page.locator('canvas.pdf-page');
  await page.goto(session.hub.url);
  const open = async () => {
    await page.getByRole('searchbox').fill('学习任务单');
    await page.getByRole('button', { name: /学习任务单/ }).first().click();
  };

  await page.route('**/pdf.worker*', (route) => route.abort('connectionreset'));
  await open();
  // Before: 正在加载 stayed, with nothing to tell the teacher it would never open.
  await expect.poll(() => page.locator('.notice--error').textContent(), { timeout: 20_000 }).toMatch(/打开失败：课件查看器没有加载成功，请检查与学校中心服务的网络后再打开$/);

  await page.unroute('**/pdf.worker*');
  await page.evaluate(() => (window.location.hash = '#/'));
  await page.getByRole('searchbox').waitFor();
  await open();
  await expect.poll(() => canvas.getAttribute('data-rendered-page'), { timeout: 20_000 }).toBe('1');
});
