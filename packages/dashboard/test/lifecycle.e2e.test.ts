/**
 * The key lifecycle in the dashboard (issue 12), in Chromium against the real server: the list
 * shows a key's state, rotation and allowlist; the edit page changes its expiry, state and
 * allowlist with a preview, and words the self-lockout guard's new cases.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_BUT_MANAGE,
  ARTIFACTS,
  api,
  browserTestsReady,
  launchChromium,
  type Running,
  shot,
  startServer,
  stopServer,
} from './e2e-support.js';

const ready = browserTestsReady('dashboard lifecycle browser tests');

describe.skipIf(!ready)('the key lifecycle in the dashboard', { timeout: 90_000 }, () => {
  let server: Running;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let target: { keyId: string; apiKey: string };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    const made = await api(server.url, '/createorganizationapikeypublic', server.ownerKey, {
      organizationId: server.organizationId,
      name: 'Pipeline key',
      scopes: ALL_BUT_MANAGE.slice(0, 2),
    });
    target = made.body.data;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel('Organization API key').fill(server.ownerKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: /API keys of/ }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
  });

  it('sets an expiry, disables the key and pins it to ranges, with a preview; the key stops authenticating', async () => {
    await page.getByRole('link', { name: 'Edit Pipeline key' }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit Pipeline key' }).waitFor();
    await page.getByLabel(/^Expires on/).fill('2026-12-31');
    await page.getByLabel(/^Enabled/).uncheck();
    await page.getByLabel(/^Allowed IP addresses/).fill('10.0.0.0/8\n2001:db8::/32');
    await page.getByRole('button', { name: 'Preview changes' }).click();
    const preview = page.getByTestId('preview');
    await preview.waitFor();
    const text = (await preview.textContent()) ?? '';
    expect(text).toContain('Expires: never → 2026-12-31 00:00 UTC');
    expect(text).toContain('State: enabled → disabled');
    expect(text).toContain('Allowed from: anywhere → 10.0.0.0/8, 2001:db8::/32');
    await shot(page, '20-lifecycle-preview');
    // A preview is a dry run.
    expect((await api(server.url, '/verifyapikey', target.apiKey)).status).toBe(200);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: /API keys of/ }).waitFor();

    const row = page.locator(`tr[data-key-id="${target.keyId}"]`);
    await row.waitFor();
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain('disabled');
    expect(rowText).toContain('Allowed from 10.0.0.0/8, 2001:db8::/32');
    await shot(page, '21-lifecycle-list');
    expect((await api(server.url, '/verifyapikey', target.apiKey)).status).toBe(401);
    const got = await api(server.url, '/getorganizationapikeypublic', server.ownerKey, { keyId: target.keyId });
    expect(got.body.data).toMatchObject({
      enabled: false,
      expiresAt: '2026-12-31T00:00:00.000Z',
      allowedIps: ['10.0.0.0/8', '2001:db8::/32'],
    });
  });

  it('enables it again, clears the allowlist and the expiry', async () => {
    await page.getByRole('link', { name: 'Edit Pipeline key' }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit Pipeline key' }).waitFor();
    expect(await page.getByLabel(/^Allowed IP addresses/).inputValue()).toBe('10.0.0.0/8\n2001:db8::/32');
    await page.getByLabel(/^Expires on/).fill('');
    await page.getByLabel(/^Enabled/).check();
    await page.getByLabel(/^Allowed IP addresses/).fill('');
    await page.getByRole('button', { name: 'Preview changes' }).click();
    await page.getByTestId('preview').waitFor();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: /API keys of/ }).waitFor();
    expect((await api(server.url, '/verifyapikey', target.apiKey)).status).toBe(200);
    const got = await api(server.url, '/getorganizationapikeypublic', server.ownerKey, { keyId: target.keyId });
    expect(got.body.data).toMatchObject({ enabled: true });
    expect(got.body.data).not.toHaveProperty('allowedIps');
    expect(got.body.data).not.toHaveProperty('expiresAt');
  });

  it('shows an invalid range as the server words it, and a rotated key as rotating', async () => {
    await page.getByRole('link', { name: 'Edit Pipeline key' }).click();
    await page.getByLabel(/^Allowed IP addresses/).fill('10.0.0.1/8');
    await page.getByRole('button', { name: 'Preview changes' }).click();
    const error = page.locator('[data-code="VALIDATION_ERROR"]');
    await error.waitFor();
    expect(await error.textContent()).toContain('did you mean 10.0.0.0/8?');
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.getByRole('heading', { level: 1, name: /API keys of/ }).waitFor();

    const rotated = await api(server.url, '/rotateorganizationapikeypublic', server.ownerKey, {
      keyId: target.keyId,
      gracePeriodSeconds: 3600,
    });
    expect(rotated.status).toBe(200);
    await page.reload();
    const row = page.locator(`tr[data-key-id="${target.keyId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('rotating');
    expect(await row.textContent()).toContain(rotated.body.data.keyPrefix);
  });

  it('an allowlist that leaves out the session’s own address is refused until confirmed; disabling the session key too', async () => {
    await page.locator('tr', { hasText: 'this session' }).getByRole('link', { name: /^Edit/ }).click();
    await page.getByRole('heading', { level: 1, name: /^Edit/ }).waitFor();
    await page.getByLabel(/^Allowed IP addresses/).fill('10.0.0.0/8');
    await page.getByRole('button', { name: 'Preview changes' }).click();
    const error = page.locator('[data-code="SELF_LOCKOUT"]');
    await error.waitFor();
    expect(await error.textContent()).toContain('leaves out the address you are connecting from');
    await expect(page.getByRole('button', { name: 'Save the allowlist anyway' }).isVisible()).resolves.toBe(true);
    await shot(page, '22-lifecycle-self-lockout');

    await page.getByLabel(/^Allowed IP addresses/).fill('');
    await page.getByLabel(/^Enabled/).uncheck();
    await page.getByRole('button', { name: 'Preview changes' }).click();
    await error.waitFor();
    await expect(page.getByRole('button', { name: 'Disable it anyway' }).isVisible()).resolves.toBe(true);
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.getByRole('heading', { level: 1, name: /API keys of/ }).waitFor();
    expect((await api(server.url, '/verifyapikey', server.ownerKey)).status).toBe(200);
  });
});
