// Credit-based supervision in headless chromium over a served demo city
// (scripts/browser-test.sh): the public red and black lists and the latest
// entries on the home page; the demo officer runs a credit check of a
// subject on a published blacklist, sees the measures with their legal
// basis and reports what was applied; the credit office's list management
// and check log. Every page visited is checked by checkPage (axe-core,
// 375 px, screenshot).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { BASE, checkPage, context, launch, login } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The USCC of the first published entry of a category on /lists. */
async function firstListed(page, category) {
  await page.goto(`${BASE}/lists?category=${category}`);
  const code = page.locator('ul.list-entries dd.code').first();
  assert.ok(await code.count(), `the demo has a published ${category} entry`);
  return (await code.innerText()).trim();
}

test('the public lists and the latest entries on the home page', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  await page.goto(`${BASE}/`);
  const latest = page.locator('section.latest-lists');
  assert.ok(await latest.getByRole('heading', { name: '红名单' }).isVisible());
  assert.ok(await latest.locator('ul.latest li').count() >= 2, 'latest red and black entries on the home page');
  await checkPage(page, 'home-lists');

  await Promise.all([page.waitForURL('**/lists?category=blacklist'), latest.getByRole('link', { name: '查看全部黑名单' }).click()]);
  assert.equal(await page.locator('h1').innerText(), '红黑名单');
  assert.ok(await page.locator('ul.list-entries li.card').count() > 0, 'published blacklist entries');
  await checkPage(page, 'lists-black');

  // Filter by a name: the entry found is that subject's.
  const name = (await page.locator('ul.list-entries .hit-name a').first().innerText()).trim();
  await page.getByLabel('类别').selectOption('');
  await page.getByLabel('主体名称或统一社会信用代码').fill(name);
  await Promise.all([page.waitForURL(/\/lists\?/), page.getByRole('button', { name: '筛选' }).click()]);
  assert.ok(await page.getByRole('link', { name }).count(), 'the name filter finds the subject');
  await checkPage(page, 'lists-filtered');
  await ctx.close();
});

test('the officer runs a credit check, sees the measures and reports feedback', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  const uscc = await firstListed(page, 'blacklist');
  await login(page, 'officer');
  await page.goto(`${BASE}/checks`);
  await checkPage(page, 'check-form');

  await page.getByLabel('主体统一社会信用代码').fill(uscc);
  await page.getByLabel('应用场景').selectOption('bidding');
  await Promise.all([page.waitForURL(/\/checks\/\d+$/), page.getByRole('button', { name: '核查' }).click()]);
  assert.match(await page.locator('h1').innerText(), /信用核查结果/);
  assert.ok(await page.getByRole('heading', { name: /失信惩戒/ }).isVisible(), 'punishments are listed');
  assert.ok(await page.locator('li.measure.punishment').count() > 0);
  assert.match(await page.locator('li.measure.punishment').first().innerText(), /依据：/);
  await checkPage(page, 'check-result');

  await page.locator('input[name="applied"]').first().check();
  await page.getByLabel('实施部门（部门代码）').fill('GGZY');
  await page.getByLabel('实施结果').fill('已依法限制其参与本次招标投标');
  await Promise.all([page.waitForURL(/done=feedback/), page.getByRole('button', { name: '提交反馈' }).click()]);
  assert.ok(await page.getByText('反馈已记录').isVisible());
  assert.ok(await page.getByRole('cell', { name: '已依法限制其参与本次招标投标' }).isVisible());
  await checkPage(page, 'check-feedback');

  await page.goto(`${BASE}/checks/log`);
  assert.ok(await page.locator('tbody tr').count() > 0, 'the check is in the officer’s log');
  await checkPage(page, 'check-log');
  await ctx.close();
});

test('the credit office: list management and an entry with its steps, the check log', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  await login(page, 'admin');
  await page.goto(`${BASE}/lists/manage?status=published`);
  assert.ok(await page.locator('tbody tr').count() > 0, 'published entries are listed');
  await checkPage(page, 'lists-manage');
  await Promise.all([page.waitForURL(/\/lists\/manage\/entries\/\d+/), page.locator('tbody tr a').first().click()]);
  assert.ok(await page.getByRole('heading', { name: '办理过程' }).isVisible());
  assert.ok((await page.locator('tbody tr').count()) >= 4, 'entered, approved, notified, published');
  assert.ok(await page.getByRole('heading', { name: '移出' }).isVisible(), 'a published entry may be removed');
  await checkPage(page, 'lists-entry');
  await page.goto(`${BASE}/checks/log`);
  assert.ok(await page.getByRole('heading', { name: '按部门统计' }).isVisible());
  await checkPage(page, 'check-log-admin');
  await ctx.close();
});
