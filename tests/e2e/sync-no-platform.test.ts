// A board with no platform or hub subscribed (only the embedded demo library): the
// sync page told the teacher '请管理员用 classboard feeds add 添加订阅地址', a
// command line in the teaching UI. The page cannot subscribe (that is the admin's
// command, in the README), so it says in plain words whom to ask, and for what.
import { describe, expect, it } from 'vitest';
import { useBoardSession } from './harness';

const session = useBoardSession();

describe('the sync page with nothing subscribed', () => {
  it('says whom to ask for a subscription, with no command to type', async () => {
    const { page, hub } = session;
    await page.goto(hub.url);
    await page.getByRole('button', { name: '同步', exact: true }).click();
    const notice = page.getByText(/^还没有订阅资源平台或学校中心服务/);
    await notice.waitFor();
    expect(await notice.textContent()).toBe('还没有订阅资源平台或学校中心服务：夜间同步没有可下载的内容。请联系学校的信息管理员，为这台黑板订阅资源平台或学校中心服务。');
    expect(await page.locator('body').innerText()).not.toMatch(/classboard|feeds add/i);
    // The page's biggest button would only report 下载 0 个文件: it waits for a subscription.
    expect(await page.getByRole('button', { name: '立即同步' }).isDisabled()).toBe(true);

    await page.evaluate(() => localStorage.setItem('classboard.lang', 'en'));
    await page.reload();
    const en = page.getByText(/^No platform or school hub is subscribed/);
    await en.waitFor();
    expect(await en.textContent()).toBe("No platform or school hub is subscribed: the nightly sync has nothing to fetch. Ask the school's IT admin to subscribe this board to the platform or the school hub.");
    expect(await page.locator('body').innerText()).not.toMatch(/classboard|feeds add/i);
  });
});
