// The department console in headless chromium over a served demo city
// (scripts/browser-test.sh): the demo department logs in, opens its console
// (statistics and timeliness), uploads a CSV file with two bad rows, follows
// the progress page to the result page, which lists both bad rows with their
// row numbers, fields and reasons, and downloads the rejected rows. Every page
// visited is checked by checkPage (axe-core, 375 px, screenshot).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { BASE, account, checkPage, context, launch, login } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/**
 * Penalties of the department about the demo enterprise: rows 2, 3 and 5
 * are good, row 4 names another department, row 6 has no date.
 */
function fileWithTwoBadRows(department, uscc) {
  const other = department === 'SCJG' ? 'SWJ' : 'SCJG';
  const stamp = Date.now();
  const row = (n, source, date) =>
    `BROWSER-${stamp}-${n},penalty,${uscc},${source},${date},general,fine,${n * 1000}`;
  return [
    'id,kind,subject,source,date,procedure,sanctions,fine_cny',
    row(1, department, '2026-06-01'),
    row(2, department, '2026-06-02'),
    row(3, other, '2026-06-03'),
    row(4, department, '2026-06-04'),
    row(5, department, ''),
    '',
  ].join('\n');
}

test('a department uploads a file with two bad rows and sees both listed', async () => {
  const ctx = await context(browser);
  const page = await ctx.newPage();
  const dept = await login(page, 'department');
  const department = dept.bound_to;
  const uscc = account('enterprise').bound_to;

  // The console, from the navigation.
  await Promise.all([page.waitForURL('**/dept'), page.getByRole('link', { name: '部门报送' }).click()]);
  assert.equal(await page.locator('h1').innerText(), '部门报送');
  for (const h of ['报送统计', '报送及时性']) {
    assert.ok(await page.getByRole('heading', { name: h }).isVisible(), `section ${h}`);
  }
  await checkPage(page, 'dept-home');

  await Promise.all([page.waitForURL('**/dept/upload'), page.getByRole('link', { name: '上传报送文件' }).click()]);
  await checkPage(page, 'dept-upload-form');
  await page.getByLabel('报送文件').setInputFiles({
    name: '浏览器测试.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(fileWithTwoBadRows(department, uscc), 'utf8'),
  });
  // The progress page (its script follows the task) ends on the result.
  await page.getByRole('button', { name: '上传并导入' }).click();
  await page.waitForURL(/\/dept\/uploads\/\d+$/, { timeout: 60_000 });
  assert.match(await page.locator('h1').innerText(), /导入结果：浏览器测试\.csv/);
  const rows = page.locator('table tbody tr');
  assert.equal(await rows.count(), 2, 'both bad rows are listed');
  const first = (await rows.nth(0).innerText()).replace(/\s+/g, ' ');
  const second = (await rows.nth(1).innerText()).replace(/\s+/g, ' ');
  assert.match(first, /^4 source .*只能报送本部门/, first);
  assert.match(second, /^6 date /, second);
  assert.ok(await page.getByText('2 行未通过校验').isVisible());
  await checkPage(page, 'dept-upload-result');

  // The rejected rows as a file to correct and upload again.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: /下载未通过校验的行/ }).click(),
  ]);
  const file = await download.path();
  const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  assert.equal(lines.length, 3, lines.join('\n'));
  assert.match(lines[1], /^4,source,/);
  assert.match(lines[2], /^6,date,/);
  await ctx.close();
});

test('without script the progress page refreshes itself until the result', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false, locale: 'zh-CN' });
  const page = await ctx.newPage();
  const dept = await login(page, 'department');
  const other = dept.bound_to === 'SCJG' ? 'SWJ' : 'SCJG';
  const uscc = account('enterprise').bound_to;
  // Long enough to be followed: 20,000 rows, all of another department
  // (rejected, so that the demo enterprise's records stay as they are).
  const stamp = Date.now();
  const lines = ['id,kind,subject,source,date,procedure,sanctions,fine_cny'];
  for (let n = 1; n <= 20000; n += 1) {
    lines.push(`NOSCRIPT-${stamp}-${n},penalty,${uscc},${other},2026-06-01,general,fine,${n}`);
  }
  await page.goto(`${BASE}/dept/upload`);
  await page.getByLabel('报送文件').setInputFiles({
    name: 'no-script.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`${lines.join('\n')}\n`, 'utf8'),
  });
  await page.getByRole('button', { name: '上传并导入' }).click();
  await page.waitForURL(/\/dept\/(tasks|uploads)\/\d+$/, { timeout: 60_000 });
  if (/\/dept\/tasks\//.test(page.url())) {
    // The progress page: a labelled bar, and a refresh without script.
    const html = await page.content();
    assert.match(html, /<noscript><meta http-equiv="refresh" content="2"><\/noscript>/);
    assert.match(html, /<progress id="upload-bar" max="100" value="\d+">/);
    assert.match(html, /<label for="upload-bar">/);
    await page.screenshot({
      path: `${process.env.XINYONG_BROWSER_ARTEFACTS || '/tmp/xinyong-browser-artefacts'}/dept-progress-no-script.png`,
    });
  }
  await page.waitForURL(/\/dept\/uploads\/\d+$/, { timeout: 120_000 });
  assert.ok(await page.getByText('20,000 行未通过校验').isVisible());
  assert.equal(await page.locator('table tbody tr').count(), 500, 'the first page of rejected rows');
  assert.ok(await page.getByRole('link', { name: '下一页' }).isVisible());
  await ctx.close();
});
