/**
 * The dashboard as people see it, in Chromium at a laptop's 1280 px and a phone's 390 px
 * (issue 16): the keys table shows its actions whole with an owner key's ten scopes, a phone
 * needs no sideways scrolling, dates never break inside, the "Saved" banner covers nothing,
 * a form shows all its problems at once, the history says what a refused update tried, and
 * "Create key" after a creation starts afresh. Refreshes the README's screenshots in
 * docs/images (1280 and 390 px). Skipped (one line) when /usr/bin/chromium is absent.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, browserTestsReady, launchChromium, ROOT, type Running, startServer, stopServer } from './e2e-support.js';

const ready = browserTestsReady('dashboard polish browser tests');
const IMAGES = join(ROOT, 'docs/images');

async function signIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('Organization API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: /API keys of/ }).waitFor();
}

/** How the keys page fits its viewport. */
async function layout(page: Page) {
  return page.evaluate(() => {
    const wrap = document.querySelector('.table-wrap') as HTMLElement;
    const times = Array.from(document.querySelectorAll('main time')).map((t) => {
      const lineHeight = Number.parseFloat(getComputedStyle(t).lineHeight) || 20;
      return { text: t.textContent ?? '', lines: Math.round(t.getBoundingClientRect().height / lineHeight) };
    });
    const actions = Array.from(document.querySelectorAll('tr[data-key-id] a')).map((a) => {
      const r = a.getBoundingClientRect();
      return { text: a.textContent ?? '', left: r.left, right: r.right };
    });
    return {
      viewport: window.innerWidth,
      pageWidth: document.documentElement.scrollWidth,
      wrapOverflow: wrap.scrollWidth - wrap.clientWidth,
      wrapRight: wrap.getBoundingClientRect().right,
      times,
      actions,
    };
  });
}

describe.skipIf(!ready)('dashboard layout in Chromium (1280 and 390 px)', { timeout: 120_000 }, () => {
  let server: Running;
  let browser: Browser;
  let limited: { apiKey: string; keyId: string };

  beforeAll(async () => {
    mkdirSync(IMAGES, { recursive: true });
    server = await startServer();
    const org = server.organizationId;
    const make = (name: string, scopes: string[], description = '') =>
      api(server.url, '/createorganizationapikeypublic', server.ownerKey, {
        organizationId: org,
        name,
        scopes,
        ...(description ? { description } : {}),
      });
    await make('CI Deploy Key', ['deploy:use-case', 'projects:read'], 'Used by the CI/CD pipeline of the main repository');
    await make('Nightly reports', ['executions:read', 'instances:read'], 'Reads executions for the nightly report');
    const created = await make('Key manager', ['api-keys:manage', 'projects:read']);
    limited = { apiKey: created.body.data.apiKey, keyId: created.body.data.keyId };
    // A refused update: this key tries to give itself a scope it does not hold.
    const refused = await api(server.url, '/updateorganizationapikeypublic', limited.apiKey, {
      keyId: limited.keyId,
      addScopes: ['skills:read'],
    });
    expect(refused.body.error.code).toBe('SCOPE_ESCALATION');
    // Used once, so "Last used" shows a date.
    await api(server.url, '/verifyapikey', limited.apiKey);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
  });

  it('at 1280 px the keys table shows every column, the actions whole, dates on one line', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signIn(page, server.url, server.ownerKey);
    await expect.poll(() => page.locator('tr[data-key-id]').count()).toBe(4);
    const l = await layout(page);
    expect(l.wrapOverflow, 'the table fits its box (no sideways scrolling)').toBeLessThanOrEqual(0);
    expect(l.pageWidth).toBeLessThanOrEqual(l.viewport);
    expect(l.actions.filter((a) => a.text === 'Revoke').length).toBe(4);
    for (const a of l.actions) expect(a.right, `${a.text} is inside the table`).toBeLessThanOrEqual(l.wrapRight);
    expect(l.times.length).toBeGreaterThan(0);
    for (const t of l.times) expect(t.lines, `"${t.text}" on one line`).toBe(1);
    await page.screenshot({ path: join(IMAGES, 'dashboard-keys.png'), fullPage: true });
    await context.close();
  });

  it('at 390 px the keys are readable without sideways scrolling, dates on one line', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
    const page = await context.newPage();
    await signIn(page, server.url, server.ownerKey);
    await expect.poll(() => page.locator('tr[data-key-id]').count()).toBe(4);
    const l = await layout(page);
    expect(l.pageWidth, 'the page is no wider than the phone').toBeLessThanOrEqual(l.viewport);
    expect(l.wrapOverflow, 'the list needs no sideways scrolling').toBeLessThanOrEqual(0);
    for (const a of l.actions) expect(a.right, `${a.text} on screen`).toBeLessThanOrEqual(l.viewport);
    for (const t of l.times) expect(t.lines, `"${t.text}" on one line`).toBe(1);
    // Each key shows its name, id and actions.
    const row = page.locator('tr[data-key-id]', { hasText: 'CI Deploy Key' });
    await expect(row.locator('.key-id').isVisible()).resolves.toBe(true);
    await expect(row.getByRole('link', { name: 'Edit CI Deploy Key' }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(IMAGES, 'dashboard-keys-390.png'), fullPage: true });
    await context.close();
  });

  it('after saving, the "Saved" banner covers nothing of the keys table', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signIn(page, server.url, server.ownerKey);
    await page.getByRole('link', { name: 'Edit Nightly reports' }).click();
    await page.getByLabel('Name').fill('Nightly report reader');
    await page.getByRole('button', { name: 'Preview changes' }).click();
    await page.getByRole('button', { name: /^Save/ }).click();
    await page.getByRole('heading', { level: 1, name: /API keys of/ }).waitFor();
    const status = page.getByTestId('status');
    await expect.poll(() => status.textContent()).toContain('Saved Nightly report reader');
    await page.locator('tr[data-key-id]').first().waitFor();
    const boxes = await page.evaluate(() => {
      const r = (el: Element | null) => el?.getBoundingClientRect().toJSON() as DOMRect;
      return { banner: r(document.querySelector('[data-testid="status"]')), table: r(document.querySelector('.table-wrap')) };
    });
    const overlap =
      boxes.banner.left < boxes.table.right &&
      boxes.table.left < boxes.banner.right &&
      boxes.banner.top < boxes.table.bottom &&
      boxes.table.top < boxes.banner.bottom;
    expect(overlap, JSON.stringify(boxes)).toBe(false);
    await context.close();
  });

  it('a form with several problems shows each once, all at once; "Create key" after a creation starts afresh', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signIn(page, server.url, server.ownerKey);
    const nav = page.getByRole('navigation').getByRole('link', { name: 'Create key' });
    await nav.click();
    await page.getByRole('heading', { level: 1, name: 'Create a key' }).waitFor();
    await page.getByLabel('Expires', { exact: true }).selectOption('custom');
    await page.getByLabel(/Days until it expires/).fill('9999');
    await page.getByRole('button', { name: 'Create key' }).click();
    const problems = await page.locator('.field-error').allTextContents();
    expect(problems).toEqual([
      'Give the key a name.',
      'Choose at least one scope.',
      'Expiry must be a whole number of days from 1 to 365.',
    ]);
    // Fixing one leaves the others.
    await page.getByLabel('Name').fill('Fresh key');
    await page.getByRole('button', { name: 'Create key' }).click();
    await expect
      .poll(() => page.locator('.field-error').allTextContents())
      .toEqual(['Choose at least one scope.', 'Expiry must be a whole number of days from 1 to 365.']);
    await page.getByLabel(/^projects:read/).check();
    await page.getByLabel('Expires', { exact: true }).selectOption('');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByTestId('raw-key').waitFor();
    await nav.click();
    await page.getByRole('heading', { level: 1, name: 'Create a key' }).waitFor();
    await expect(page.getByLabel('Name').inputValue()).resolves.toBe('');
    await expect(page.getByLabel(/^projects:read/).isChecked()).resolves.toBe(false);
    await context.close();
  });

  it('the history shows what a refused update tried to do', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await signIn(page, server.url, server.ownerKey);
    await page.getByRole('link', { name: 'History of Key manager' }).click();
    await page.getByRole('heading', { level: 1, name: 'History of Key manager' }).waitFor();
    const refused = page.locator('tr', { hasText: 'SCOPE_ESCALATION' });
    const text = (await refused.textContent()) ?? '';
    expect(text).toContain('Tried (refused):');
    expect(text).toContain('scopes added: skills:read');
    await context.close();
  });
});
