// Credit-based supervision in headless chromium over a served demo city
// (scripts/browser-test.sh): the public red and black lists and the latest
// entries on the home page; the demo officer runs a credit check of a
// subject on a published blacklist, sees the measures with their legal
// basis and reports what was applied; the credit office's list management
// and check log; the credit office creates a random-inspection plan (with
// a second inspector it adds), publishes and draws it, and the plan's
// public page confirms the draw, which anyone can check against the
// published lists. Every page visited is checked by checkPage (axe-core,
// 375 px, screenshot).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';

import { BASE, account, checkPage, context, launch, login } from './helpers.mjs';

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

test('the credit office creates an inspection plan, draws it, and its public page confirms the draw', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  await login(page, 'admin');

  // A second inspector: the roster needs two officers.
  const second = `inspector-${Date.now().toString(36)}`;
  await page.goto(`${BASE}/admin/accounts`);
  await page.getByLabel('角色', { exact: true }).selectOption('officer');
  await page.getByLabel('用户名', { exact: true }).fill(second);
  await page.getByLabel('初始密码').fill('Hq7-Ruvx-2Lp9-Tc4w');
  await Promise.all([page.waitForURL(/done=created/), page.getByRole('button', { name: '创建账户' }).click()]);
  assert.ok(await page.getByRole('rowheader', { name: second }).isVisible(), 'the inspector’s account');

  const plan = `YK-SJ-${Date.now().toString(36).toUpperCase()}`;
  const name = '市场监管领域双随机抽查（浏览器测试）';
  await page.goto(`${BASE}/inspection`);
  await checkPage(page, 'inspection-plans');
  await page.getByLabel('计划编号').fill(plan);
  await page.getByLabel('计划名称').fill(name);
  await page.getByLabel('风险类别依据').selectOption('yingkou-composite');
  await page.getByLabel('抽查事项清单（每行一项）').fill(
    ['营业执照（登记证）规范使用情况', '年度报告公示信息', '即时公示信息', '经营场所与登记住所一致情况'].join('\n'),
  );
  await page.getByLabel('每项任务抽取的检查事项数').fill('2');
  await page.getByLabel(/^执法检查人员/).fill(`${account('officer').username}\n${second}`);
  await Promise.all([page.waitForURL(/done=created/), page.getByRole('button', { name: '制定计划' }).click()]);
  const row = page.locator('tbody tr', { hasText: plan });
  assert.ok(await row.getByText('已制定，待公布').isVisible());

  await Promise.all([page.waitForURL(/done=published/), row.getByRole('button', { name: '公布' }).click()]);
  assert.ok(await row.getByText('已公布，待抽取').isVisible());
  await Promise.all([
    page.waitForURL(`**/inspection/plans/${plan}`),
    row.getByRole('button', { name: '抽取并公开种子' }).click(),
  ]);
  assert.ok(await page.getByRole('heading', { name: '核验结果：抽取结果与公布的输入完全一致' }).isVisible());
  await ctx.close();

  // Anyone: the plan's public page re-runs the draw and confirms it.
  const pub = await context(browser);
  const p2 = await pub.newPage();
  await p2.goto(`${BASE}/inspection`);
  await Promise.all([p2.waitForURL(`**/inspection/plans/${plan}`), p2.getByRole('link', { name: plan }).click()]);
  assert.match(await p2.locator('p.lead').innerText(), new RegExp(`${name} · 已抽取`));
  assert.ok(
    await p2.getByRole('heading', { name: '核验结果：抽取结果与公布的输入完全一致' }).isVisible(),
    'the public page confirms the draw',
  );
  const checks = await p2.locator('ul.checks li').allInnerTexts();
  assert.ok(checks.length > 0 && checks.every((c) => c.startsWith('✓ 一致')), `checks: ${checks}`);
  const tasks = p2.locator('section[aria-labelledby="tasks-h"] tbody tr');
  assert.ok((await tasks.count()) > 0, 'the drawn tasks are public');
  await checkPage(p2, 'inspection-verified');

  // What the page confirms, checked from outside: the revealed seed
  // matches the commitment published before the draw, and each published
  // list matches its digest.
  const fact = async (label) =>
    (await p2.locator('dl.facts div', { hasText: label }).locator('dd').innerText()).trim();
  const seed = await fact('抽取后公开的种子');
  const commitment = await fact('种子承诺值');
  assert.equal(createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex'), commitment);
  const lists = p2.locator('section[aria-labelledby="inputs-h"] table').first().locator('tbody tr');
  assert.equal(await lists.count(), 4);
  for (let i = 0; i < 4; i += 1) {
    const r = lists.nth(i);
    const digest = (await r.locator('td').nth(2).innerText()).trim();
    const href = await r.getByRole('link', { name: '下载' }).getAttribute('href');
    const file = await pub.request.get(`${BASE}${href}`);
    assert.equal(file.status(), 200, href);
    assert.equal(createHash('sha256').update(await file.body()).digest('hex'), digest, href);
  }
  await pub.close();
});
