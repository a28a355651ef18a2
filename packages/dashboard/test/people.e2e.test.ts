/**
 * People in the dashboard, in a real browser against the real server: sign-in by e-mailed code
 * (the server mails through SMTP to a real SMTP server run in this process, and the test reads
 * the code out of the received message), choosing one of several organizations, a member who
 * sees and revokes only their own keys, and the Members page (list, add, change a role, remove
 * with the keys it revokes named first, the last owner refused). Screenshots go to
 * test-artifacts/dashboard/. Skipped (one line) without /usr/bin/chromium.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeIn, startSmtpServer, type TestSmtpServer } from '../../server/src/test-support/smtp.js';
import {
  ARTIFACTS,
  api,
  browserTestsReady,
  launchChromium,
  operator,
  type Running,
  shot,
  startServer,
  stopServer,
} from './e2e-support.js';

const ready = browserTestsReady('dashboard browser tests of sign-in by code and members');

describe.skipIf(!ready)('dashboard people in Chromium', { timeout: 90_000 }, () => {
  let smtp: TestSmtpServer;
  let server: Running;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** The owner's page, signed in by code in the first test and used by the Members tests. */
  let owner: Page;
  const memberKeys: Record<'ci' | 'laptop', { apiKey: string; keyId: string }> = {
    ci: { apiKey: '', keyId: '' },
    laptop: { apiKey: '', keyId: '' },
  };

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    context.setDefaultTimeout(20_000);
    contexts.push(context);
    return context.newPage();
  }

  /** The code of the next mail to `email` (after the `seen` it had), read from the SMTP server. */
  async function mailedCode(email: string, seen: number): Promise<string> {
    const mail = await smtp.waitFor(email, seen);
    const code = codeIn(mail.text);
    if (code === undefined) throw new Error(`no code in the mail to ${email}: ${mail.text}`);
    return code;
  }

  function mailsTo(email: string): number {
    return smtp.received.filter((m) => m.to.includes(email)).length;
  }

  async function signInByCode(page: Page, email: string): Promise<void> {
    await page.goto(`${server.url}/`);
    await page.waitForLoadState('networkidle');
    const seen = mailsTo(email);
    await page.getByLabel('E-mail address').fill(email);
    await page.getByRole('button', { name: 'E-mail me a code' }).click();
    const field = page.getByLabel('Code from the e-mail');
    await field.waitFor();
    await field.fill(await mailedCode(email, seen));
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    smtp = await startSmtpServer();
    server = await startServer(['--smtp-url', smtp.url, '--mail-from', 'codika <no-reply@codika.test>']);
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
    for (const [which, name] of [
      ['ci', 'Member CI key'],
      ['laptop', 'Member laptop key'],
    ] as const) {
      const issued = operator(server.db, [
        'keys',
        'issue',
        '--organization-id',
        server.organizationId,
        '--email',
        'member@localhost',
        '--name',
        name,
        '--scopes',
        'projects:read,deploy:use-case',
      ]);
      memberKeys[which] = { apiKey: String(issued.apiKey), keyId: String(issued.keyId) };
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await stopServer(server);
    await smtp?.close();
  });

  it('the owner signs in with the code the server mailed over SMTP; a wrong code is refused inline', async () => {
    owner = await newPage();
    await owner.goto(`${server.url}/`);
    await owner.waitForLoadState('networkidle');
    // Both ways in are offered.
    await expect(owner.getByLabel('Organization API key').count()).resolves.toBe(1);
    await owner.getByLabel('E-mail address').fill('owner@localhost');
    await shot(owner, '12-sign-in-by-code');
    const seen = mailsTo('owner@localhost');
    await owner.getByRole('button', { name: 'E-mail me a code' }).click();
    const field = owner.getByLabel('Code from the e-mail');
    await field.waitFor();
    const mail = await smtp.waitFor('owner@localhost', seen);
    expect(mail.from).toBe('no-reply@codika.test');
    const code = codeIn(mail.text) as string;
    expect(code).toMatch(/^\d{6}$/);

    await field.fill(code === '000000' ? '000001' : '000000');
    await owner.getByRole('button', { name: 'Sign in', exact: true }).click();
    const refused = owner.locator('[data-code="INVALID_CODE"]');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('ask for a new one');
    await shot(owner, '13-code-refused');

    await field.fill(code);
    await owner.getByRole('button', { name: 'Sign in', exact: true }).click();
    await owner.getByRole('heading', { level: 1, name: 'API keys of Default Organization' }).waitFor();
    expect(await owner.locator('header').textContent()).toContain('signed in as owner@localhost (owner)');
    const cookie = (await owner.context().cookies(server.url)).find((c) => c.name === 'codika_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    // An owner manages every key: the member's keys are listed with the owner's.
    await expect.poll(() => owner.locator('tr[data-key-id]').count()).toBe(3);
    const nav = owner.getByRole('navigation');
    await expect(nav.getByRole('link', { name: 'Members' }).count()).resolves.toBe(1);
    await expect(nav.getByRole('link', { name: 'Create key' }).count()).resolves.toBe(1);
    await shot(owner, '14-signed-in-by-code');
  });

  it('a person of several organizations chooses one after the code (also after a reload)', async () => {
    operator(server.db, ['bootstrap', '--org-name', 'Second Org', '--owner-email', 'owner@localhost']);
    const page = await newPage();
    await signInByCode(page, 'owner@localhost');
    await page.getByRole('heading', { level: 2, name: 'Choose an organization' }).waitFor();
    await shot(page, '15-choose-organization');
    await page.reload();
    await page.getByRole('button', { name: 'Second Org' }).click();
    await page.getByRole('heading', { level: 1, name: 'API keys of Second Org' }).waitFor();
    expect(await page.locator('header').textContent()).toContain('Second Org');
    await expect.poll(() => page.locator('tr[data-key-id]').count()).toBe(1);
  });

  it("a member's code session sees only the keys they created, and revokes one", async () => {
    const page = await newPage();
    await signInByCode(page, 'member@localhost');
    await page.getByRole('heading', { level: 1, name: 'Your API keys in Default Organization' }).waitFor();
    await expect.poll(() => page.locator('tr[data-key-id]').count()).toBe(2);
    const ids = await page.locator('tr[data-key-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key-id')));
    expect(ids.sort()).toEqual([memberKeys.ci.keyId, memberKeys.laptop.keyId].sort());
    const nav = page.getByRole('navigation');
    await expect(nav.getByRole('link', { name: 'Members' }).count()).resolves.toBe(0);
    await expect(nav.getByRole('link', { name: 'Create key' }).count()).resolves.toBe(0);
    await shot(page, '16-member-own-keys');
    // The server, not the page, keeps the member to their own keys.
    const direct = await page.evaluate(async () => {
      const res = await fetch('/listorganizationapikeyspublic', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-codika-csrf': '1' },
        body: '{}',
      });
      return { status: res.status, body: await res.json() };
    });
    expect(direct).toMatchObject({ status: 403, body: { error: { code: 'INSUFFICIENT_SCOPE' } } });

    await page.getByRole('button', { name: 'Revoke Member laptop key' }).click();
    await page.getByRole('heading', { level: 2, name: 'Revoke Member laptop key?' }).waitFor();
    await shot(page, '17-member-revoke-confirm');
    await page.getByRole('button', { name: 'Revoke key' }).click();
    await expect.poll(() => page.locator(`tr[data-key-id="${memberKeys.laptop.keyId}"]`).count()).toBe(0);
    expect((await api(server.url, '/verifyapikey', memberKeys.laptop.apiKey)).status).toBe(401);
    expect((await api(server.url, '/verifyapikey', memberKeys.ci.apiKey)).status).toBe(200);
  });

  it('Members page: lists the people, adds one by e-mail with a role, changes a role', async () => {
    await owner.getByRole('navigation').getByRole('link', { name: 'Members' }).click();
    await owner.getByRole('heading', { level: 1, name: 'Members of Default Organization' }).waitFor();
    const row = (email: string) => owner.locator('tr', { hasText: email });
    await row('member@localhost').waitFor();
    expect(await row('owner@localhost').textContent()).toContain('you');
    // e-mail, role, joined, last sign-in, live keys (the laptop key was revoked).
    const memberCells = await row('member@localhost').locator('td').allTextContents();
    expect(memberCells[1]).toContain('member');
    expect(memberCells[3]).toMatch(/UTC/);
    expect(memberCells[4]).toBe('1');
    await shot(owner, '18-members');

    await owner.getByLabel('E-mail address').fill('dev@localhost');
    await owner.getByLabel('Role', { exact: true }).selectOption('admin');
    await owner.getByRole('button', { name: 'Add member' }).click();
    await row('dev@localhost').waitFor();
    await expect(owner.getByLabel('Role of dev@localhost', { exact: true }).inputValue()).resolves.toBe('admin');

    await owner.getByLabel('Role of dev@localhost', { exact: true }).selectOption('member');
    await owner.getByRole('button', { name: 'Change role of dev@localhost' }).click();
    await expect
      .poll(
        async () =>
          (await api(server.url, '/listorganizationmemberspublic', server.ownerKey)).body.data.members.find(
            (m: { email: string }) => m.email === 'dev@localhost',
          )?.role,
      )
      .toBe('member');
  });

  it('removing a member names the keys it revokes first; then they stop working', async () => {
    await owner.getByRole('button', { name: 'Remove member@localhost' }).click();
    await owner.getByRole('heading', { level: 2, name: 'Remove member@localhost?' }).waitFor();
    const named = owner.getByTestId('keys-to-revoke');
    expect(await named.textContent()).toContain('Member CI key');
    expect(await named.textContent()).not.toContain('Member laptop key');
    await shot(owner, '19-member-remove-confirm');
    await owner.getByRole('button', { name: 'Remove member', exact: true }).click();
    await expect.poll(() => owner.locator('tr', { hasText: 'member@localhost' }).count()).toBe(0);
    expect((await api(server.url, '/verifyapikey', memberKeys.ci.apiKey)).status).toBe(401);
  });

  it('the last owner cannot step down: the refusal is shown in plain words', async () => {
    await owner.getByLabel('Role of owner@localhost', { exact: true }).selectOption('admin');
    await owner.getByRole('button', { name: 'Change role of owner@localhost' }).click();
    const refused = owner.locator('[data-code="LAST_OWNER"]');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('at least one owner');
    expect(await refused.textContent()).toMatch(/Request id [0-9a-f-]{36}/);
    await shot(owner, '20-last-owner-refused');
    const members = (await api(server.url, '/listorganizationmemberspublic', server.ownerKey)).body.data.members;
    expect(members.find((m: { email: string }) => m.email === 'owner@localhost')?.role).toBe('owner');
  });

  it('signing out ends the code session on the server', async () => {
    await owner.getByRole('button', { name: 'Sign out' }).click();
    await owner.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    const after = await owner.evaluate(async () => {
      const res = await fetch('/listorganizationapikeyspublic', { method: 'POST', headers: { 'x-codika-csrf': '1' } });
      return res.status;
    });
    expect(after).toBe(401);
  });
});
