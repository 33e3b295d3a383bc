// Typing 分数 with a pinyin input method: while "fen'shu" is still being composed the
// search boxes searched the letters and said 没有找到“fen'shu”相关的资源. They wait for
// the chosen characters now (the home screen's box and the timetable's lesson search).
import type { CDPSession, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBoardSession } from './harness';

const session = useBoardSession();
let page: Page;
let cdp: CDPSession;

const text = () => page.locator('#root').innerText();

/** What an IME does: the pinyin underlined in the box for a while, then the characters chosen. */
async function typePinyin(box: ReturnType<Page['getByRole']>, pinyin: string, chosen: string) {
  await box.click();
  for (let i = 1; i <= pinyin.length; i++) {
    await cdp.send('Input.imeSetComposition', { text: pinyin.slice(0, i), selectionStart: i, selectionEnd: i });
  }
  await expect.poll(() => box.inputValue()).toBe(pinyin);
  // Longer than the searches' pause: a search of the letters would have answered.
  await page.waitForTimeout(800);
  const whileComposing = await text();
  await cdp.send('Input.insertText', { text: chosen });
  return whileComposing;
}

beforeAll(async () => {
  page = session.page;
  cdp = await page.context().newCDPSession(page);
});

describe('searching with a pinyin input method', () => {
  it('the home search waits for the chosen characters', async () => {
    await page.goto(session.hub.url);
    const box = page.getByRole('searchbox', { name: '搜索课程' });
    const whileComposing = await typePinyin(box, "fen'shu", '分数');
    expect(whileComposing).not.toContain('没有找到');
    await page.getByRole('heading', { name: /找到 \d+ 个资源/ }).waitFor();
    await page.getByRole('button', { name: /分数的初步认识/ }).first().waitFor();
  });

  it('the 备课 editor’s 加入资源 search waits too, and asks the library nothing for the letters', async () => {
    await page.evaluate(() => (window.location.hash = '#/plan/new'));
    const box = page.getByRole('searchbox', { name: '搜索要加入的资源' });
    await box.waitFor();
    const asked: string[] = [];
    const onRequest = (r: { url(): string; postData(): string | null }) => {
      if (r.url().endsWith('/api/library:search')) asked.push(JSON.parse(r.postData() ?? '{}').query);
    };
    page.on('request', onRequest);
    try {
      await typePinyin(box, "fen'shu", '分数');
      await page.getByRole('button', { name: /分数的初步认识/ }).first().waitFor();
      expect(asked.every((q) => !/[a-z']/.test(q))).toBe(true);
      expect(asked).toContain('分数');
    } finally {
      page.off('request', onRequest);
    }
  });

  it('the timetable’s lesson search waits too', async () => {
    await page.evaluate(() => (window.location.hash = '#/timetable'));
    const box = page.getByRole('searchbox', { name: '课程资源（搜索）' });
    await box.waitFor();
    const whileComposing = await typePinyin(box, "fen'shu", '分数');
    expect(whileComposing).not.toContain('没有找到');
    await page.getByRole('button', { name: /分数的初步认识/ }).first().waitFor();
  });
});
