// The platform's pages in headless chromium over a served demo city
// (scripts/browser-test.sh): the public journey, the enterprise space with
// its improvement advice and credit report, an objection filed by the
// enterprise and decided by the department in its queue, a credit repair
// applied for by an enterprise and approved by the record's department
// (the enterprise's classes change), keyboard use.
// Every page visited is checked by checkPage (axe-core, 375 px, screenshot).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { BASE, account, caseAccount, checkPage, context, demoCase, launch, login, outcomeOf } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The enterprise's name, from its public page. */
async function enterpriseName(page) {
  const uscc = account('enterprise').bound_to;
  await page.goto(`${BASE}/subjects/${uscc}`);
  return (await page.locator('h1').innerText()).trim();
}

test('keyboard: tab to the search box, type and submit', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  const name = await enterpriseName(page);
  await page.goto(`${BASE}/`);
  let focused = '';
  for (let i = 0; i < 20 && focused !== 'q'; i += 1) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.id || '');
  }
  assert.equal(focused, 'q', 'the search box is reached with the Tab key');
  await page.keyboard.type(name);
  await Promise.all([page.waitForURL(/\/search\?q=/), page.keyboard.press('Enter')]);
  const uscc = account('enterprise').bound_to;
  assert.ok(await page.locator(`a[href="/subjects/${uscc}"]`).count(), 'the search finds the enterprise');
  // The skip link is the first stop and leads to the main content.
  await page.goto(`${BASE}/`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('href')), '#main');
  await ctx.close();
});

test('the public journey: home, search, subject, disclosure', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  const name = await enterpriseName(page);
  const uscc = account('enterprise').bound_to;

  await page.goto(`${BASE}/`);
  await checkPage(page, 'home');
  await page.getByLabel('企业名称或统一社会信用代码').first().fill(name);
  await Promise.all([page.waitForURL(/\/search\?q=/), page.getByLabel('企业名称或统一社会信用代码').first().press('Enter')]);
  await checkPage(page, 'search');
  await Promise.all([page.waitForURL(`**/subjects/${uscc}`), page.locator(`a[href="/subjects/${uscc}"]`).first().click()]);
  assert.equal((await page.locator('h1').innerText()).trim(), name);
  await checkPage(page, 'subject');
  await page.goto(`${BASE}/about/disclosure`);
  await checkPage(page, 'disclosure');
  await ctx.close();
});

test('the enterprise: its space, how to improve, a credit report verified by its number', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  await login(page, 'enterprise');
  assert.match(page.url(), /\/my$/);
  await checkPage(page, 'space');

  await Promise.all([page.waitForURL('**/my/improve'), page.getByRole('link', { name: '如何提升信用' }).click()]);
  assert.equal(await page.locator('h1').innerText(), '如何提升信用');
  for (const h of ['综合评价', '等级变化', '提升建议']) {
    assert.ok(await page.getByRole('heading', { name: h }).isVisible(), `section ${h}`);
  }
  assert.ok(await page.locator('section[aria-labelledby="records-h"] li.record').count(), 'its records are listed');
  if (await page.locator('svg.radar').count()) {
    assert.equal(await page.locator('svg.radar polygon.value').count(), 1, 'the radar has its value polygon');
  }
  await checkPage(page, 'improve');

  await page.goto(`${BASE}/my`);
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '出具信用报告' }).click()]);
  assert.equal(await page.locator('h1').innerText(), '信用报告已出具');
  await checkPage(page, 'report-issued');
  const number = (await page.locator('dd.code').first().innerText()).trim();
  assert.match(number, /^XY\d{8}[0-9A-Z]{16}$/);
  const pdf = await ctx.request.get(`${BASE}/reports/${number}/pdf`);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');

  // Anyone verifies it by its number.
  const pub = await context(browser);
  const p2 = await pub.newPage();
  await p2.goto(`${BASE}/`);
  await Promise.all([p2.waitForURL('**/reports'), p2.getByRole('link', { name: '报告核验' }).click()]);
  await checkPage(p2, 'verify-form');
  await p2.getByLabel('报告编号').fill(number.toLowerCase());
  await Promise.all([p2.waitForURL(`**/reports/*`), p2.getByRole('button', { name: '核验' }).click()]);
  assert.ok(await p2.getByText(number).first().isVisible());
  assert.ok(await p2.getByText(account('enterprise').bound_to).first().isVisible());
  await checkPage(p2, 'report-verification');
  const unknown = await p2.goto(`${BASE}/reports/XY20260101AAAAAAAAAAAAAAAA`);
  assert.equal(unknown.status(), 404);
  await pub.close();
  await ctx.close();
});

test('an objection filed by the enterprise is decided by the department in its queue', async () => {
  const department = account('department').bound_to;
  const ent = await context(browser);
  const page = await ent.newPage();
  await login(page, 'enterprise');
  await page.goto(`${BASE}/my/improve`);
  // A record of the demo department's, not disputed yet.
  const link = page.locator(`li.record a[href^="/my/objections/new?source=${department}&"]`).first();
  assert.ok(await link.count(), `the enterprise has a record of ${department} open to objection`);
  await Promise.all([page.waitForURL(/\/my\/objections\/new/), link.click()]);
  await checkPage(page, 'objection-form');
  const recordId = await page.getByLabel('记录编号').inputValue();
  await page.getByLabel('信息有误').check();
  await page.getByLabel('异议说明').fill('处罚决定书载明的违法事实与本企业实际情况不符，已提交更正材料。');
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '提交异议' }).click()]);
  assert.equal(await page.locator('h1').innerText(), '异议已提交');
  const caseId = (await page.locator('main').innerText()).match(/案件编号 (\d+)/)[1];

  await page.goto(`${BASE}/my/cases`);
  const mine = page.locator(`#case-${caseId}`);
  assert.ok(await mine.getByText('异议处理中').first().isVisible(), 'the case is open');
  assert.ok(await mine.getByText(recordId).isVisible());
  await checkPage(page, 'my-cases');

  // The department decides it.
  const dep = await context(browser);
  const dp = await dep.newPage();
  await login(dp, 'department');
  await dp.goto(`${BASE}/queue`);
  await checkPage(dp, 'queue');
  const card = dp.locator(`#case-${caseId}`);
  assert.ok(await card.count(), 'the objection is in the department queue');
  await card.getByLabel('维持原记录（异议不成立）').check();
  await card.getByLabel('决定理由').fill('经核查，原记录与处罚决定书一致，异议不成立。');
  await Promise.all([dp.waitForURL(/\/queue\?done=/), card.getByRole('button', { name: '保存决定' }).click()]);
  assert.ok(await dp.getByText(`案件 ${caseId} 的处理决定已保存`).isVisible());
  assert.equal(await dp.locator(`#case-${caseId}`).count(), 0, 'decided cases leave the queue');
  await dep.close();

  // The enterprise sees the outcome with its reasons.
  await page.goto(`${BASE}/my/cases`);
  assert.ok(await page.locator(`#case-${caseId}`).getByText('维持原记录').first().isVisible());
  assert.ok(await page.locator(`#case-${caseId}`).getByText('异议不成立').isVisible());
  await ent.close();
});

const ANHUI = '企业信用分类（守信、警示、失信、严重失信）';
const TIANJIN = '市场主体信用风险分类（黑、红、黄、绿）';

test('a repair applied for by the enterprise is approved by the department in its queue; its class changes', async () => {
  // The demo's walkthrough: an enterprise whose only adverse record is a
  // fine past its minimum display period, and a clerk of the department
  // that recorded it.
  const walk = demoCase('repair');
  const { source, id } = walk.record;
  const ent = await context(browser);
  const page = await ent.newPage();
  await login(page, caseAccount('repair', 'enterprise'));
  assert.match(page.url(), /\/my$/);
  assert.equal(await outcomeOf(page, ANHUI), '失信', 'dishonest before the repair');
  assert.equal(await outcomeOf(page, TIANJIN), '失信（红）');
  await page.goto(`${BASE}/subjects/${walk.subject}`);
  assert.ok(await page.getByText(id, { exact: true }).count(), 'the penalty is shown publicly');

  await page.goto(`${BASE}/my/improve`);
  const record = page
    .locator('li.record')
    .filter({ has: page.locator('span.record-id', { hasText: new RegExp(`^${id}$`) }) });
  assert.equal(await record.count(), 1, `the record ${id} on the page`);
  assert.ok(await record.getByText('现已可申请信用修复').isVisible(), 'the page says a repair is admissible');
  await Promise.all([page.waitForURL(/\/my\/repairs\/new/), record.getByRole('link', { name: '申请信用修复' }).click()]);
  assert.equal(await page.getByLabel('提供记录的部门代码').inputValue(), source);
  assert.equal(await page.getByLabel('记录编号').inputValue(), id);
  await page.getByLabel('信用修复承诺书').check();
  await page.getByLabel('整改材料').check();
  await checkPage(page, 'repair-form');
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '提交申请' }).click()]);
  assert.equal(await page.locator('h1').innerText(), '信用修复申请已提交');
  const filed = await page.locator('main').innerText();
  assert.match(filed, /已受理/);
  const caseId = filed.match(/案件编号 (\d+)/)[1];
  await checkPage(page, 'repair-filed');
  await page.goto(`${BASE}/my/cases`);
  assert.ok(await page.locator(`#case-${caseId}`).getByText('已受理').first().isVisible(), 'the repair is accepted');

  // The clerk of the record's department approves it from the queue.
  const dep = await context(browser);
  const dp = await dep.newPage();
  await login(dp, caseAccount('repair', 'department'));
  await dp.goto(`${BASE}/queue`);
  const card = dp.locator(`#case-${caseId}`);
  assert.ok(await card.count(), 'the repair is in the department queue');
  assert.ok(await card.getByText(`${source} / ${id}`).isVisible());
  await checkPage(dp, 'queue-repair');
  await card.getByLabel('准予信用修复').check();
  await card.getByLabel('决定理由').fill('当事人已履行行政处罚并提交整改材料和信用修复承诺书，符合信用修复条件。');
  await Promise.all([dp.waitForURL(/\/queue\?done=/), card.getByRole('button', { name: '保存决定' }).click()]);
  assert.ok(await dp.getByText(`案件 ${caseId} 的处理决定已保存`).isVisible());
  assert.equal(await dp.locator(`#case-${caseId}`).count(), 0, 'decided cases leave the queue');
  await dep.close();

  // The enterprise sees the outcome and its new classes; the penalty is
  // no longer public.
  await page.goto(`${BASE}/my/cases`);
  const mine = page.locator(`#case-${caseId}`);
  assert.ok(await mine.getByText('已修复').first().isVisible(), 'the repair is approved');
  assert.ok(await mine.getByText('符合信用修复条件').isVisible(), 'with its reasons');
  await checkPage(page, 'my-cases-repaired');
  await page.goto(`${BASE}/my`);
  assert.equal(await outcomeOf(page, ANHUI), '守信', 'trustworthy once repaired');
  assert.equal(await outcomeOf(page, TIANJIN), '良好（绿）');
  await checkPage(page, 'space-repaired');
  await page.goto(`${BASE}/subjects/${walk.subject}`);
  assert.equal(await page.getByText(id, { exact: true }).count(), 0, 'the repaired penalty is no longer public');
  await ent.close();
});
