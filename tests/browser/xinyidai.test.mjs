// 信易贷 end to end in headless chromium over a served demo city
// (scripts/browser-test.sh): the demo's 信易贷 enterprise (it meets every
// condition but a recent financing need) applies and becomes eligible,
// authorises the demo bank; the credit office issues the month's lists;
// the bank sees the enterprise on its list, queries its full profile and
// reports a loan; the enterprise sees every query and the loan, then
// revokes the authorisation, and the bank's next query is refused with
// 403. Every page visited is checked by checkPage (axe-core, 375 px,
// screenshot).
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

const ELIGIBILITY = '信易贷推荐条件筛查';

/** `YYYY-MM-DD` of a day `days` from now. */
function dayFromNow(days) {
  return new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
}

test('信易贷: apply, authorise, the bank lists, queries and lends; revoked, the next query is refused', async () => {
  const walk = demoCase('xinyidai');
  const uscc = walk.subject;
  const bank = account('bank').bound_to;

  // The enterprise applies: it was short of a recent financing need only.
  const ent = await context(browser);
  const page = await ent.newPage();
  await login(page, caseAccount('xinyidai', 'enterprise'));
  assert.match(page.url(), /\/my$/);
  assert.equal(await outcomeOf(page, ELIGIBILITY), '不符合条件（未满足 X5）');
  await Promise.all([page.waitForURL('**/my/financing'), page.getByRole('link', { name: '信易贷' }).first().click()]);
  assert.equal(await page.locator('h1').innerText(), '信易贷融资');
  await checkPage(page, 'financing');
  await page.getByLabel('金额（元）').fill('1,500,000');
  await page.getByLabel('融资用途').fill('购置自动化生产设备，补充流动资金');
  await Promise.all([page.waitForURL(/done=applied/), page.getByRole('button', { name: '提交融资申请' }).click()]);
  assert.ok(await page.getByText('融资申请已提交').isVisible());
  const needs = page.locator('section[aria-labelledby="needs-h"] tbody tr');
  assert.ok(await needs.filter({ hasText: '1,500,000.00' }).count(), 'the application is listed');
  await page.goto(`${BASE}/my`);
  assert.equal(await outcomeOf(page, ELIGIBILITY), '符合条件', 'eligible once it applied');

  // It authorises the demo bank.
  await page.goto(`${BASE}/my/financing`);
  await page.getByLabel('银行代码').fill(bank);
  await page.getByLabel('授权截止日期').fill(dayFromNow(180));
  await Promise.all([page.waitForURL(/done=authorised/), page.getByRole('button', { name: '授权', exact: true }).click()]);
  const grants = page.locator('section[aria-labelledby="grants-h"] tbody tr');
  assert.equal(await grants.count(), 1);
  assert.ok(await grants.first().getByRole('cell', { name: '有效' }).isVisible(), 'the authorisation is in force');
  assert.ok(await page.getByText('还没有银行查询本企业').isVisible());
  await checkPage(page, 'financing-authorised');

  // The credit office issues the month's lists.
  const office = await context(browser);
  const op = await office.newPage();
  await login(op, 'admin');
  await op.goto(`${BASE}/admin/xinyidai`);
  await Promise.all([op.waitForLoadState('load'), op.getByRole('button', { name: '发布本月推荐名单' }).click()]);
  const issued = await op.getByRole('status').first().innerText();
  assert.match(issued, new RegExp(`已发布 \\d{4}-\\d{2} 推荐名单。.*${bank}：符合条件 [1-9]\\d* 家`), issued);
  await checkPage(op, 'xinyidai-issued');
  await office.close();

  // The bank sees the enterprise on its list, queries it and lends.
  const lender = await context(browser);
  const bp = await lender.newPage();
  await login(bp, 'bank');
  await bp.goto(`${BASE}/bank`);
  const row = bp.locator('tbody tr', { hasText: uscc });
  assert.equal(await row.count(), 1, 'the enterprise is on the bank’s list');
  assert.ok(await row.getByText(/^X5 /).isVisible(), 'with the conditions it meets');
  await checkPage(bp, 'bank-list');
  await Promise.all([
    bp.waitForURL(`**/subjects/${uscc}/full`),
    row.getByRole('link', { name: /^查询信用档案/ }).click(),
  ]);
  assert.equal(await bp.locator('h1').innerText(), '完整信用档案');
  assert.ok(await bp.getByText(uscc).first().isVisible());
  await checkPage(bp, 'bank-profile');
  await bp.goto(`${BASE}/bank`);
  await Promise.all([
    bp.waitForURL(/\/bank\?uscc=/),
    bp.locator('tbody tr', { hasText: uscc }).getByRole('link', { name: /^报告贷款结果/ }).click(),
  ]);
  assert.equal(await bp.getByLabel('企业统一社会信用代码').inputValue(), uscc);
  await bp.getByLabel('放款（填写金额和年利率）').check();
  await bp.getByLabel('金额（元）').fill('1,200,000');
  await bp.getByLabel('年利率（%）').fill('3.45');
  await Promise.all([bp.waitForURL(/done=reported/), bp.getByRole('button', { name: '报告', exact: true }).click()]);
  assert.ok(await bp.getByText('贷款结果已报告').isVisible());

  // The enterprise sees the loan and every query of the bank.
  await page.goto(`${BASE}/my/financing`);
  const loans = page.locator('section[aria-labelledby="loans-h"] tbody tr');
  assert.equal(await loans.count(), 1);
  assert.match(await loans.first().innerText(), new RegExp(`${bank}\\s+已放款\\s+1,200,000.00\\s+3.45%`));
  const queries = page.locator('section[aria-labelledby="queries-h"] tbody tr');
  const what = await queries.locator('td:nth-child(4)').allInnerTexts();
  const banks = await queries.locator('td:nth-child(2)').allInnerTexts();
  assert.ok(banks.length >= 3 && banks.every((b) => b === bank), `queries by ${bank}: ${banks}`);
  for (const w of ['信易贷推荐信息', '完整信用档案', '报告贷款结果']) {
    assert.ok(what.some((x) => x.startsWith(w)), `the query ${w} is shown: ${what}`);
  }
  await checkPage(page, 'financing-queried');

  // It revokes the authorisation; the bank's next query is refused.
  await Promise.all([
    page.waitForURL(/done=revoked/),
    page.getByRole('button', { name: new RegExp(`^撤销授权：${bank}（`) }).click(),
  ]);
  assert.ok(await page.getByText('授权已撤销').isVisible());
  assert.match(await grants.first().innerText(), /已于 .* 撤销/);
  const refused = await bp.goto(`${BASE}/subjects/${uscc}/full`);
  assert.equal(refused.status(), 403, 'the full profile is refused');
  assert.ok(await bp.getByText('金融机构须经该主体授权且在授权期内方可查询').isVisible());
  await checkPage(bp, 'bank-refused');
  const api = await lender.request.get(`${BASE}/api/v1/subjects/${uscc}`);
  assert.equal(api.status(), 403, 'the API refuses the query too');
  await bp.goto(`${BASE}/bank`);
  assert.equal(await bp.locator('tbody tr', { hasText: uscc }).count(), 0, 'no longer on the bank’s list');
  await lender.close();
  await ent.close();
});
