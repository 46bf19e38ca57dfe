// The credit office's console in headless chromium over a served demo city
// (scripts/browser-test.sh): the demo admin sees the department
// data-submission table and the distribution charts, opens the accounts,
// models, runs and audit pages, verifies the audit chain, starts an
// evaluation and watches its progress page until it finishes; the demo
// auditor reads the audit log and nothing else of the console. Every page
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

/** The number of a cell's text (`12,345` → 12345). */
function count(text) {
  return Number(text.replace(/[^0-9]/g, ''));
}

test('the admin console: submissions, charts, accounts, models, runs, audit', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  await login(page, 'admin');

  await Promise.all([page.waitForURL(/\/admin$/), page.getByRole('link', { name: '管理控制台' }).click()]);
  assert.equal(await page.locator('h1').innerText(), '管理控制台');
  // The submission table: departments with records, their total.
  const table = page.locator('table.submissions');
  assert.ok(await table.isVisible(), 'the submission table');
  const rows = await table.locator('tbody tr').count();
  assert.ok(rows >= 2, `rows of departments: ${rows}`);
  assert.ok(await table.getByRole('columnheader', { name: '按时报送率' }).isVisible());
  // The totals row: per kind, then held, received, rejected, timeliness.
  const held = await table.locator('tfoot td').nth(-4).innerText();
  assert.ok(count(held) > 1000, `records held: ${held}`);
  const received = await table.locator('tfoot td').nth(-3).innerText();
  assert.ok(count(received) >= count(held), `received ${received} ≥ held ${held}`);
  // A chart with data: bars with a width, and the same numbers in a table.
  const bars = page.locator('svg.chart.bars').first();
  assert.ok(await bars.isVisible(), 'a distribution chart');
  const widths = await bars.locator('rect.bar').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('width'))));
  assert.ok(widths.length >= 2 && widths.some((w) => w > 0), `bars: ${widths}`);
  assert.ok((await bars.locator('title').textContent()).includes('评价结果分布'));
  assert.ok(await page.locator('svg.chart.trend').first().isVisible(), 'a trend chart');
  await checkPage(page, 'admin-home');

  for (const [link, heading, name] of [
    ['账户和令牌', '账户和 API 令牌', 'admin-accounts'],
    ['评价模型', '评价模型', 'admin-models'],
    ['评价运行', '评价运行', 'admin-runs'],
  ]) {
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('navigation', { name: '管理控制台' }).getByRole('link', { name: link }).click(),
    ]);
    assert.equal(await page.locator('h1').innerText(), heading);
    await checkPage(page, name);
  }

  await page.goto(`${BASE}/admin/audit`);
  assert.equal(await page.locator('h1').innerText(), '审计日志');
  assert.ok(await page.locator('table.audit tbody tr').count(), 'entries are listed');
  await Promise.all([page.waitForURL(/verify=1/), page.getByRole('button', { name: '校验哈希链' }).click()]);
  assert.ok(await page.getByText('哈希链完整').isVisible(), 'the chain is intact');
  // Filter by an area of actions.
  await page.getByLabel('操作', { exact: true }).fill('session');
  await Promise.all([page.waitForURL(/action=session/), page.getByRole('button', { name: '筛选' }).click()]);
  const actions = await page.locator('table.audit tbody tr td:nth-child(5)').allInnerTexts();
  assert.ok(actions.length > 0 && actions.every((a) => a.startsWith('session')), `actions: ${actions}`);
  await checkPage(page, 'admin-audit');
  await ctx.close();
});

test('the admin starts an evaluation and watches it finish', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  await login(page, 'admin');
  await page.goto(`${BASE}/admin/runs`);
  const before = await page.locator('section[aria-labelledby="runs-h"] tbody tr').count();
  await Promise.all([page.waitForURL(/\/admin\/tasks\/\d+$/), page.getByRole('button', { name: '开始评价' }).click()]);
  assert.match(await page.locator('h1').innerText(), /^评价任务 \d+$/);
  assert.ok(await page.locator('progress').isVisible(), 'a progress bar');
  // The page's script follows the task and shows its end.
  await page.getByText('评价完成').waitFor({ timeout: 180000 });
  assert.equal(await page.locator('#task-status').innerText(), '已完成');
  assert.equal(await page.locator('progress').getAttribute('value'), '100');
  await checkPage(page, 'admin-task');

  await page.goto(`${BASE}/admin/runs`);
  const after = await page.locator('section[aria-labelledby="runs-h"] tbody tr').count();
  assert.ok(after >= Math.min(before + 1, 30), `a new run is listed (${before} → ${after})`);
  assert.ok(await page.getByText('已完成').first().isVisible(), 'the task is listed as finished');
  // Two full runs now: the trend draws lines.
  await page.goto(`${BASE}/admin`);
  assert.ok(await page.locator('svg.chart.trend polyline.series').count(), 'the trend has lines');
  await ctx.close();
});

test('the auditor reads the audit log and not the admin console', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  await login(page, 'auditor');
  await Promise.all([page.waitForURL(/\/admin\/audit$/), page.getByRole('link', { name: '审计日志' }).first().click()]);
  assert.equal(await page.locator('h1').innerText(), '审计日志');
  assert.equal(await page.getByRole('link', { name: '账户和令牌' }).count(), 0);
  await checkPage(page, 'auditor-audit');
  for (const path of ['/admin', '/admin/accounts']) {
    const resp = await page.goto(`${BASE}${path}`);
    assert.equal(resp.status(), 403, path);
  }
  await ctx.close();
});
