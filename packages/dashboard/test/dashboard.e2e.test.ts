/**
 * The dashboard in a real browser against the real server: Debian's Chromium driven by
 * playwright-core. Starts `codika-server start --first-run-bootstrap` on a fresh database and
 * a free port, then does what a person would. Screenshots of each page go to
 * test-artifacts/dashboard/. Skipped (one line) when /usr/bin/chromium is absent.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_BUT_MANAGE,
  ARTIFACTS,
  api,
  browserTestsReady,
  launchChromium,
  operator,
  type Running,
  shot,
  startServer,
  stopServer,
  tabStops,
  tabTo,
} from './e2e-support.js';

const ready = browserTestsReady('dashboard browser tests');

async function signIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('Organization API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: /API keys of/ }).waitFor();
}

describe.skipIf(!ready)('dashboard in Chromium', { timeout: 90_000 }, () => {
  let server: Running;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let member: { apiKey: string; keyId: string };
  /** The key created through the dashboard: id and raw value copied from the page. */
  const created = { keyId: '', raw: '' };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    operator(server.db, [
      'users',
      'add',
      '--organization-id',
      server.organizationId,
      '--email',
      'member@localhost',
      '--role',
      'member',
    ]);
    const issued = operator(server.db, [
      'keys',
      'issue',
      '--organization-id',
      server.organizationId,
      '--email',
      'member@localhost',
      '--name',
      'Member key',
      '--scopes',
      [...ALL_BUT_MANAGE, 'api-keys:manage'].join(','),
    ]);
    member = { apiKey: String(issued.apiKey), keyId: String(issued.keyId) };
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    context.setDefaultTimeout(20_000);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
  });

  it('serves the dashboard at / and /dashboard with a strict CSP and no inline script', async () => {
    for (const path of ['/', '/dashboard', '/dashboard/']) {
      const res = await fetch(server.url + path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await res.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    }
  });

  it('signs in with the owner key and lists the keys with one-click copy of an id', async () => {
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${server.url}/`);
    const field = page.getByLabel('Organization API key');
    await expect(field.getAttribute('type')).resolves.toBe('password');
    await field.fill(server.ownerKey);
    await shot(page, '01-sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'API keys of Default Organization' }).waitFor();
    const cookies = await context.cookies(server.url);
    const session = cookies.find((c) => c.name === 'codika_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(session?.value).not.toContain(server.ownerKey);

    const ownerRow = page.locator('tr', { hasText: 'this session' });
    const ownerId = (await ownerRow.locator('.key-id').textContent()) ?? '';
    const verified = await api(server.url, '/verifyapikey', server.ownerKey);
    expect(ownerId).toBe(verified.body.data.keyId);
    await ownerRow.getByRole('button', { name: /Copy key id/ }).click();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(ownerId);
    await expect.poll(() => page.locator('tr[data-key-id]').count()).toBe(2);
    await shot(page, '02-keys');
    expect(violations).toEqual([]);
  });

  it('creates a key; the raw key is shown once and copies', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Create key' }).click();
    await page.getByRole('heading', { level: 1, name: 'Create a key' }).waitFor();
    await page.getByLabel('Name').fill('CI Deploy Key');
    await page.getByLabel('Description').fill('Used by CI');
    await page.getByLabel(/^deploy:use-case/).check();
    await page.getByLabel(/^projects:read/).check();
    await page.getByLabel('Expires').selectOption('30');
    await page.getByRole('button', { name: 'Create key' }).click();
    const raw = page.getByTestId('raw-key');
    await raw.waitFor();
    created.raw = await raw.inputValue();
    expect(created.raw).toMatch(/^cko_[0-9A-Za-z]{28}$/);
    expect(await page.locator('#once-warning').textContent()).toContain('It will not be shown again');
    await page.getByRole('button', { name: 'Copy the new API key' }).click();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(created.raw);
    await shot(page, '03-key-created');
    const who = await api(server.url, '/verifyapikey', created.raw);
    expect(who.body.data).toMatchObject({ keyName: 'CI Deploy Key', scopes: ['deploy:use-case', 'projects:read'] });
    expect(who.body.data.expiresAt).toBeDefined();
    created.keyId = who.body.data.keyId;
    await page.getByRole('link', { name: /back to keys/ }).click();
    await expect.poll(() => page.locator(`tr[data-key-id="${created.keyId}"]`).count()).toBe(1);
  });

  it('edits the scopes and name with a preview; /verifyapikey sees the change', async () => {
    await page.getByRole('link', { name: 'Edit CI Deploy Key' }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit CI Deploy Key' }).waitFor();
    await page.getByLabel('Name').fill('Production Deploy Key');
    await page.getByLabel(/^instances:read/).check();
    await page.getByLabel(/^projects:read/).uncheck();
    await page.getByRole('button', { name: 'Preview changes' }).click();
    const preview = page.getByTestId('preview');
    await preview.waitFor();
    const text = (await preview.textContent()) ?? '';
    expect(text).toContain('CI Deploy Key → Production Deploy Key');
    expect(text).toContain('Scope added: instances:read');
    expect(text).toContain('Scope removed: projects:read');
    await shot(page, '04-edit-preview');
    // The preview was a dry run: nothing changed yet.
    expect((await api(server.url, '/verifyapikey', created.raw)).body.data.scopes).toEqual(['deploy:use-case', 'projects:read']);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: /API keys of/ }).waitFor();
    const who = await api(server.url, '/verifyapikey', created.raw);
    expect(who.body.data).toMatchObject({ keyName: 'Production Deploy Key', scopes: ['deploy:use-case', 'instances:read'] });
  });

  it('refuses to take api-keys:manage from the session key until confirmed, showing the request id', async () => {
    await page.locator('tr', { hasText: 'this session' }).getByRole('link', { name: /^Edit/ }).click();
    await page.getByRole('heading', { level: 1, name: /^Edit/ }).waitFor();
    await page.getByLabel(/^api-keys:manage/).uncheck();
    await page.getByRole('button', { name: 'Preview changes' }).click();
    const error = page.locator('[data-code="SELF_LOCKOUT"]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/Request id [0-9a-f-]{36}/);
    await expect(page.getByRole('button', { name: 'Remove api-keys:manage anyway' }).isVisible()).resolves.toBe(true);
    await shot(page, '05-self-lockout');
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.getByRole('heading', { level: 1, name: /API keys of/ }).waitFor();
    expect((await api(server.url, '/verifyapikey', server.ownerKey)).body.data.scopes).toContain('api-keys:manage');
  });

  it('after confirming, takes api-keys:manage from the session key (force: true)', async () => {
    const made = await api(server.url, '/createorganizationapikeypublic', server.ownerKey, {
      organizationId: server.organizationId,
      name: 'Manager two',
      scopes: [...ALL_BUT_MANAGE, 'api-keys:manage'],
    });
    expect(made.status).toBe(200);
    const second = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    second.setDefaultTimeout(20_000);
    const p = await second.newPage();
    try {
      await signIn(p, server.url, made.body.data.apiKey);
      await p.locator('tr', { hasText: 'this session' }).getByRole('link', { name: 'Edit Manager two' }).click();
      await p.getByLabel(/^api-keys:manage/).uncheck();
      await p.getByRole('button', { name: 'Preview changes' }).click();
      await p.locator('[data-code="SELF_LOCKOUT"]').waitFor();
      await p.getByRole('button', { name: 'Remove api-keys:manage anyway' }).click();
      const preview = p.getByTestId('preview');
      await preview.waitFor();
      expect(await preview.textContent()).toContain('Scope removed: api-keys:manage');
      expect(await preview.textContent()).toContain('Confirmed');
      await p.getByRole('button', { name: 'Save changes' }).click();
      // The session's key can no longer manage keys: the keys page says so.
      await p.locator('[data-code="INSUFFICIENT_SCOPE"]').waitFor();
      const who = await api(server.url, '/verifyapikey', made.body.data.apiKey);
      expect(who.body.data.scopes).toEqual(ALL_BUT_MANAGE.slice().sort());
    } finally {
      await second.close();
    }
    // Tidy up so the other tests see the keys they expect.
    await api(server.url, '/revokeorganizationapikeypublic', server.ownerKey, { keyId: made.body.data.keyId });
  });

  it('shows the history of a key', async () => {
    await page.getByRole('link', { name: 'History of Production Deploy Key' }).click();
    await page.getByRole('heading', { level: 1, name: 'History of Production Deploy Key' }).waitFor();
    const table = page.locator('table.history');
    await table.waitFor();
    const text = (await table.textContent()) ?? '';
    expect(text).toContain('key.update');
    expect(text).toContain('key.create');
    expect(text).toContain('scopes added: instances:read');
    expect(text).toContain('name: CI Deploy Key → Production Deploy Key');
    expect(text).toContain('127.0.0.1');
    await shot(page, '06-history');
    await page.getByRole('link', { name: 'Back to keys' }).click();
  });

  it('revokes a key after confirmation; it stops authenticating', async () => {
    await page.getByRole('link', { name: 'Revoke Production Deploy Key' }).click();
    await page.getByRole('heading', { level: 1, name: 'Revoke Production Deploy Key?' }).waitFor();
    await shot(page, '07-revoke-confirm');
    await page.getByRole('button', { name: 'Revoke key' }).click();
    await page.getByRole('heading', { level: 1, name: /API keys of/ }).waitFor();
    await expect.poll(() => page.locator(`tr[data-key-id="${created.keyId}"]`).count()).toBe(0);
    expect((await api(server.url, '/verifyapikey', created.raw)).status).toBe(401);
    // Hidden by default; shown on request, with its history but nothing to edit.
    await page.getByLabel('Show revoked and expired keys').check();
    const row = page.locator(`tr[data-key-id="${created.keyId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('revoked');
    expect(await row.getByRole('link', { name: /^(Edit|Revoke)/ }).count()).toBe(0);
    expect(await row.getByRole('link', { name: 'History of Production Deploy Key' }).count()).toBe(1);
    await shot(page, '08-revoked-shown');
    await page.getByLabel('Show revoked and expired keys').uncheck();
    await expect.poll(() => row.count()).toBe(0);
  });

  it('refuses a cross-site form post that carries the session cookie', async () => {
    const ownerId = (await api(server.url, '/verifyapikey', server.ownerKey)).body.data.keyId as string;
    // The attacker's page: another origin (same host name, other port: same *site*, so the
    // SameSite cookie is sent and only the CSRF check stands in the way).
    const attacker: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><form method="post" action="${server.url}/updateorganizationapikeypublic" enctype="text/plain">
        <input type="hidden" name='{"keyId":"${ownerId}","scopes":["projects:read"],"force":true,"x":"' value='"}'>
        <button type="submit">Win a prize</button></form>`);
    });
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
    try {
      const other = await context.newPage();
      await other.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
      const [answer] = await Promise.all([
        other.waitForResponse((r) => r.url().endsWith('/updateorganizationapikeypublic')),
        other.getByRole('button', { name: 'Win a prize' }).click(),
      ]);
      expect(answer.status()).toBe(403);
      expect(answer.request().headers().cookie ?? (await answer.request().allHeaders()).cookie).toContain('codika_session=');
      await shot(other, '09-cross-site-refused');
      await other.close();
    } finally {
      attacker.close();
    }
    const who = await api(server.url, '/verifyapikey', server.ownerKey);
    expect(who.body.data.scopes).toHaveLength(10);
  });

  it("a member's key signs in but cannot list or edit keys", async () => {
    const memberContext = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    const memberPage = await memberContext.newPage();
    try {
      await signIn(memberPage, server.url, member.apiKey);
      await memberPage.locator('[data-code="NOT_ORG_ADMIN"]').waitFor();
      await expect(memberPage.getByRole('link', { name: /^Edit/ }).count()).resolves.toBe(0);
      await shot(memberPage, '10-member-refused');
      await memberPage.goto(`${server.url}/#/keys/${encodeURIComponent(member.keyId)}/edit`);
      await memberPage.locator('[data-code="NOT_ORG_ADMIN"]').waitFor();
      await expect(memberPage.getByRole('button', { name: 'Preview changes' }).count()).resolves.toBe(0);
      // Straight at the API with the member's session: the same refusal.
      const direct = await memberPage.evaluate(async (keyId) => {
        const res = await fetch('/updateorganizationapikeypublic', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-codika-csrf': '1' },
          body: JSON.stringify({ keyId, scopes: ['projects:read'] }),
        });
        return { status: res.status, body: await res.json() };
      }, member.keyId);
      expect(direct).toMatchObject({ status: 403, body: { error: { code: 'NOT_ORG_ADMIN' } } });
    } finally {
      await memberContext.close();
    }
  });

  it('keyboard alone reaches every action', async () => {
    const kb = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    kb.setDefaultTimeout(20_000);
    const p = await kb.newPage();
    try {
      await p.goto(`${server.url}/`);
      // The page asks whether a session exists before it settles on the sign-in form; typing
      // before that answer can land in a form that is then rendered anew (seen on a loaded CI run).
      await p.waitForLoadState('networkidle');
      await tabTo(p, 'Organization API key');
      await p.keyboard.type(server.ownerKey);
      expect(await p.getByLabel('Organization API key').inputValue()).toBe(server.ownerKey);
      await p.keyboard.press('Enter');
      await p
        .getByRole('heading', { level: 1, name: /API keys of/ })
        .waitFor({ timeout: 30_000 })
        .catch(async (error: unknown) => {
          throw new Error(`signed-in page never came; the page says: ${await p.locator('main').textContent()}`, { cause: error });
        });

      await p.locator('tr[data-key-id]').first().waitFor();
      const stops = (await tabStops(p)).map((s) => s.name);
      for (const name of [
        'Keys',
        'Create key',
        'Sign out',
        'Copy key id of Owner key',
        'Edit Owner key',
        'History of Owner key',
        'Revoke Owner key',
      ]) {
        expect(stops, `Tab reaches ${name} (stops: ${stops.join(' | ')})`).toContain(name);
      }

      // Create a key with the keyboard.
      await tabTo(p, 'Create key');
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { level: 1, name: 'Create a key' }).waitFor();
      await tabTo(p, 'Name');
      await p.keyboard.type('Keyboard key');
      await tabTo(p, /^skills:read/);
      await p.keyboard.press('Space');
      await tabTo(p, 'Create key', 200);
      await p.keyboard.press('Enter');
      await p.getByTestId('raw-key').waitFor();
      await tabTo(p, 'Copy the new API key');
      await tabTo(p, /back to keys/);
      await p.keyboard.press('Enter');
      await p.locator('tr', { hasText: 'Keyboard key' }).waitFor();

      // Edit it: a checkbox, the preview, save.
      await tabTo(p, 'Edit Keyboard key');
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { level: 1, name: 'Edit Keyboard key' }).waitFor();
      await tabTo(p, /^executions:read/);
      await p.keyboard.press('Space');
      await tabTo(p, 'Preview changes');
      await p.keyboard.press('Enter');
      await p.getByTestId('preview').waitFor();
      await tabTo(p, 'Save changes');
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { level: 1, name: /API keys of/ }).waitFor();
      await expect(p.locator('tr', { hasText: 'Keyboard key' }).textContent()).resolves.toContain('executions:read');

      // History, then revoke, then sign out.
      await p.locator('tr', { hasText: 'Keyboard key' }).waitFor();
      await tabTo(p, 'History of Keyboard key');
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { level: 1, name: 'History of Keyboard key' }).waitFor();
      await tabTo(p, 'Back to keys');
      await p.keyboard.press('Enter');
      await p.locator('tr', { hasText: 'Keyboard key' }).waitFor();
      await tabTo(p, 'Revoke Keyboard key');
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { level: 1, name: 'Revoke Keyboard key?' }).waitFor();
      await tabTo(p, 'Revoke key');
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { level: 1, name: /API keys of/ }).waitFor();
      await expect(p.locator('tr', { hasText: 'Keyboard key' }).count()).resolves.toBe(0);
      await tabTo(p, 'Sign out');
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    } finally {
      await kb.close();
    }
  }, 90_000);

  it('signs out: the session ends on the server and the cookie is deleted', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await shot(page, '11-signed-out');
    expect((await context.cookies(server.url)).find((c) => c.name === 'codika_session')).toBeUndefined();
    const after = await page.evaluate(async () => {
      const res = await fetch('/verifyapikey', { method: 'POST', headers: { 'x-codika-csrf': '1' } });
      return res.status;
    });
    expect(after).toBe(401);
  });
});
