// Shared helpers of the browser tests: the browser, logins, the checks made
// on every page (accessibility with axe-core, no horizontal overflow at a
// phone's width) and a screenshot of each page as a test artefact.
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const BASE = process.env.XINYONG_BASE;
if (!BASE) throw new Error('XINYONG_BASE is not set: run scripts/browser-test.sh');
const DEMO = JSON.parse(readFileSync(process.env.XINYONG_DEMO, 'utf8'));
const ARTEFACTS = process.env.XINYONG_BROWSER_ARTEFACTS || '/tmp/xinyong-browser-artefacts';
mkdirSync(ARTEFACTS, { recursive: true });
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The demo account of a role: `{username, password, bound_to}`. */
export function account(role) {
  const a = DEMO.accounts.find((x) => x.role === role);
  assert.ok(a, `the demo has an account of role ${role}`);
  return a;
}

/**
 * A walkthrough of the demo (`repair`, `xinyidai`): `{case, title, note,
 * subject, record, accounts}`, with accounts of its own.
 */
export function demoCase(name) {
  const c = (DEMO.cases || []).find((x) => x.case === name);
  assert.ok(c, `the demo has the walkthrough ${name}`);
  return c;
}

/** The account of a role in a walkthrough of the demo. */
export function caseAccount(name, role) {
  const a = demoCase(name).accounts.find((x) => x.role === role);
  assert.ok(a, `the walkthrough ${name} has an account of role ${role}`);
  return a;
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/**
 * A new browser context (own cookies). The pages' content security policy
 * allows no script; axe-core is injected by the test, not served, so the
 * policy is bypassed for the test's own script only.
 */
export async function context(browser, width = 1280) {
  return browser.newContext({
    bypassCSP: true,
    viewport: { width, height: 900 },
    locale: 'zh-CN',
  });
}

let shot = 0;

/**
 * The checks made on each page visited: a screenshot, axe-core finds no
 * serious or critical violation, and at 375 px nothing overflows
 * horizontally. `name` names the screenshot.
 */
export async function checkPage(page, name) {
  shot += 1;
  const file = path.join(ARTEFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  const lang = await page.getAttribute('html', 'lang');
  assert.equal(lang, 'zh-CN', `${name}: lang`);
  assert.equal(await page.locator('h1').count(), 1, `${name}: one h1`);
  assert.equal(await page.locator('main').count(), 1, `${name}: one main landmark`);

  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `${name}: axe-core violations ${JSON.stringify(bad, null, 1)}`);

  // A phone's width: nothing wider than the screen.
  const size = page.viewportSize();
  await page.setViewportSize({ width: 375, height: 800 });
  const overflow = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      // Scrollable table wrappers keep their tables inside them.
      if (el.closest('.table-wrap') && !el.classList.contains('table-wrap')) continue;
      if (r.width > 0 && r.right > width + 1) wide.push(`${el.tagName.toLowerCase()}.${el.className}`);
    }
    return { scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5) };
  });
  await page.screenshot({ path: file.replace(/\.png$/, '-375.png'), fullPage: true });
  assert.ok(
    overflow.scroll <= overflow.width,
    `${name}: at 375 px the page is ${overflow.scroll} px wide (${overflow.wide.join(', ')})`,
  );
  if (size) await page.setViewportSize(size);
}

/**
 * Log in through the login form; lands where the platform sends the role.
 * `who` is a role (the demo's account of it) or an account.
 */
export async function login(page, who) {
  const a = typeof who === 'string' ? account(who) : who;
  await page.goto(`${BASE}/login`);
  await page.getByLabel('用户名').fill(a.username);
  await page.getByLabel('密码').fill(a.password);
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '登录' }).click()]);
  assert.ok(
    await page.getByText(`：${a.username}`).first().isVisible(),
    `logged in as ${a.username}`,
  );
  return a;
}

/**
 * The outcome of a model, by its name, on the full profile the page shows
 * (`/my`, `/subjects/{uscc}/full`): `失信`, `A 级（…），870 分`, ….
 */
export async function outcomeOf(page, model) {
  const card = page
    .locator('article.result')
    .filter({ has: page.getByRole('heading', { name: model, exact: true }) });
  assert.equal(await card.count(), 1, `one result of ${model}`);
  return (await card.locator('p.outcome').innerText()).trim();
}
