// Esc and 返回, pressed again and again, always bring the teacher home and leave her
// there. Esc from a presentation used to push its plan again, so the next Esc (or 返回)
// went back into the presentation, the next one to the plan, and never home; a crumb
// pushed its node, so 返回 went down the tree again; 返回 on the home screen left the app.
// A page opened directly (a bookmark, a shared link, a new tab) has no page of the app
// behind it, so 返回 and Esc went back out of the app (to about:blank, the school portal).
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hubApi, newBoardPage, useBoardSession } from './harness';

const session = useBoardSession();
let page: Page;
let planId: number;

beforeAll(async () => {
  page = session.page;
  const saved = await hubApi(session.hub, 'plans:save', {
    title: '回到首页',
    items: [
      { kind: 'board', template: 'white' },
      { kind: 'board', template: 'tianzige' },
    ],
  });
  planId = saved.value.id as number;
});

/** Where the page is: home, the plan, item n of its presentation, another page of the app, or outside it. */
function where(): string {
  const url = new URL(page.url());
  if (`${url.origin}/` !== session.hub.url) return `outside the app: ${page.url()}`;
  if (url.hash === '' || url.hash === '#/') return 'home';
  if (url.hash === `#/plan/${planId}`) return 'plan';
  const present = new RegExp(`^#/present/${planId}/(\\d+)$`).exec(url.hash);
  return present ? `presenting item ${Number(present[1]) + 1}` : url.hash;
}

/** Home, then the plan from 我的备课 (as the teacher opens it). */
async function openPlan(): Promise<void> {
  await page.goto(session.hub.url);
  await page.getByRole('region', { name: '我的备课' }).getByRole('button', { name: /回到首页/ }).click();
  await page.getByRole('list', { name: '上课顺序' }).waitFor();
  expect(where()).toBe('plan');
}

/** The first item of the presentation on screen, so its keys are listened to. */
async function atFirstItem(): Promise<void> {
  await page.locator('canvas.board-page__paper[data-template="white"]').waitFor();
  expect(where()).toBe('presenting item 1');
}

/** The second item of the presentation on screen. */
async function atSecondItem(): Promise<void> {
  await page.locator('canvas.board-page__paper[data-template="tianzige"]').waitFor();
  expect(where()).toBe('presenting item 2');
}

/** Presses (or taps) `step` once per expected place, and says where each one led; then long enough for a stray navigation to land. */
async function stepsLeadTo(step: () => Promise<void>, expected: string[]): Promise<void> {
  const seen: string[] = [];
  for (const place of expected) {
    await step();
    await expect.poll(where).toBe(place);
    seen.push(where());
  }
  await page.waitForTimeout(600);
  seen.push(where());
  expect(seen).toEqual([...expected, expected.at(-1)]);
}

const esc = () => page.keyboard.press('Escape');
const backButton = () => page.getByRole('button', { name: '返回', exact: true }).click();

describe('Esc and 返回 lead home', () => {
  it('Esc from a presentation (F5, a step on): the plan, then home, and home stays', async () => {
    await openPlan();
    await page.keyboard.press('F5');
    await atFirstItem();
    await page.keyboard.press('PageDown');
    await atSecondItem();
    await stepsLeadTo(esc, ['plan', 'home', 'home', 'home']);
  });

  it('返回 from a presentation (开始上课, 下一项): the plan, then home, and the app stays', async () => {
    await openPlan();
    await page.getByRole('button', { name: '开始上课' }).click();
    await atFirstItem();
    await page.getByRole('button', { name: '下一项' }).click();
    await atSecondItem();
    await stepsLeadTo(backButton, ['plan', 'home', 'home']);
  });

  it('Esc out of the presentation, then 返回: home, not back into the presentation', async () => {
    await openPlan();
    await page.keyboard.press('F5');
    await atFirstItem();
    await page.keyboard.press('PageDown');
    await atSecondItem();
    await esc();
    await expect.poll(where).toBe('plan');
    await stepsLeadTo(backButton, ['home', 'home']);
  });

  it('a crumb up the textbook tree, then 返回: on toward home, not down the tree again', async () => {
    await page.goto(session.hub.url);
    for (const name of ['小学', '三年级', '语文']) await page.getByRole('button', { name, exact: true }).click();
    await page.getByRole('button', { name: '统编版', exact: true }).waitFor();
    await page.getByRole('navigation', { name: '课本目录' }).getByRole('button', { name: '小学', exact: true }).click();
    await page.getByRole('button', { name: '三年级', exact: true }).waitFor();
    await stepsLeadTo(backButton, ['home', 'home']);
  });
});

describe('a page opened directly (a bookmark, a link, a new tab): Esc and 返回 go home, in the app', () => {
  // In the fresh tab each case opens, so the only history is what the case puts there.
  async function openTimetable(portalFirst: boolean): Promise<void> {
    // The school portal the link was on: a page of another site, behind the deep link.
    if (portalFirst) await page.goto('data:text/html,<title>学校门户</title>');
    await page.goto(`${session.hub.url}#/timetable`);
    await page.getByRole('button', { name: '返回', exact: true }).waitFor();
    expect(where()).toBe('#/timetable');
  }

  const cases = [
    { how: '返回', step: () => backButton() },
    { how: 'Esc', step: () => esc() },
  ];
  for (const { how, step } of cases) {
    for (const portalFirst of [false, true]) {
      it(`${how} on 课程表 opened in a ${portalFirst ? 'tab that was on the school portal' : 'new tab'}: home, and home stays`, async () => {
        const old = page;
        page = await newBoardPage(session.browser);
        try {
          await openTimetable(portalFirst);
          await stepsLeadTo(step, ['home', 'home']);
          await page.getByRole('region', { name: '我的备课' }).waitFor();
        } finally {
          await page.close();
          page = old;
        }
      });
    }
  }
});
