// 政务诚信 in headless chromium over a served demo city
// (scripts/browser-test.sh): the enterprise finds a government agency, sees
// its 政务诚信 grade on its public page and reports an item the agency owes
// it; the credit office accepts it from its queue; the item is then on the
// agency's public ledger and the enterprise sees the outcome. Every page
// visited is checked by checkPage (axe-core, 375 px, screenshot).
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

/** The public page of a government agency found by searching for 局. */
async function findAgency(page) {
  await page.goto(`${BASE}/search?q=${encodeURIComponent('局')}`);
  const hrefs = await page
    .locator('main a[href^="/subjects/"]')
    .evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  for (const href of hrefs.slice(0, 25)) {
    await page.goto(`${BASE}${href}`);
    if (await page.getByRole('link', { name: '反映问题' }).count()) return href;
  }
  return null;
}

test('an enterprise reports what an agency owes it and the credit office enters it in the ledger', async () => {
  const ent = await context(browser);
  const page = await ent.newPage();
  await login(page, 'enterprise');
  const agency = await findAgency(page);
  assert.ok(agency, 'a government agency among the results for 局');
  await checkPage(page, 'agency');
  assert.ok(await page.getByRole('heading', { name: '政务诚信评价' }).first().isVisible(), 'its 政务诚信 grade');

  await Promise.all([
    page.waitForURL(/\/my\/gov-claims\/new/),
    page.getByRole('link', { name: '反映问题' }).click(),
  ]);
  await checkPage(page, 'gov-claim-form');
  await page.getByLabel('拖欠企业账款').check();
  await page.getByLabel('涉及金额').fill('356,000');
  await page.getByLabel('欠付或未兑现的起始日期').fill('2025-06-30');
  await page.getByLabel('问题说明').fill('该机构委托本企业实施的道路维修工程已于2025年6月验收结算，工程款至今未支付。');
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '提交' }).click()]);
  assert.equal(await page.locator('h1').innerText(), '问题已反映');
  const done = await page.locator('main').innerText();
  const caseId = done.match(/案件编号 (\d+)/)[1];
  const item = done.match(/台账编号 (XYB-ZW-GC[0-9A-Z]+)/)[1];
  await checkPage(page, 'gov-claim-filed');

  // The credit office verifies it from its queue.
  const office = await context(browser);
  const op = await office.newPage();
  await login(op, 'admin');
  await op.goto(`${BASE}/queue`);
  await checkPage(op, 'queue-with-claim');
  const card = op.locator(`#case-${caseId}`);
  assert.ok(await card.count(), 'the claim is in the credit office queue');
  assert.ok(await card.getByText('356,000.00').isVisible(), 'the amount with separators');
  await card.getByLabel('经核实属实，纳入政府失信问题台账').check();
  await card.getByLabel('决定理由').fill('经核实，工程结算单及验收记录属实，款项逾期未付。');
  await Promise.all([op.waitForURL(/\/queue\?done=/), card.getByRole('button', { name: '保存决定' }).click()]);
  assert.ok(await op.getByText(`案件 ${caseId} 的处理决定已保存`).isVisible());
  await office.close();

  // The item is on the agency's public ledger; the enterprise is told.
  await page.goto(`${BASE}${agency}`);
  assert.ok(await page.getByText(item).first().isVisible(), 'the new ledger item is public');
  await page.goto(`${BASE}/my/cases`);
  const mine = page.locator(`#case-${caseId}`);
  assert.ok(await mine.getByText('已纳入台账').first().isVisible());
  assert.ok(await mine.getByText('工程结算单及验收记录属实').isVisible());
  await ent.close();
});
