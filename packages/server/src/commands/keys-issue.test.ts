import { DEFAULT_MAX_KEYS_PER_ORG } from '@codika/contract/operations';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { hashKey } from '../secrets.js';
import { type Harness, harness } from './cli.test-helpers.js';
import { parseKeysIssueOptions, runKeysIssue } from './keys-issue.js';

describe('codika-server keys issue', () => {
  let h: Harness;
  let orgId: string;
  let userId: string;
  beforeEach(async () => {
    h = await harness();
    const at = '2026-03-31T14:00:00.000Z';
    orgId = (await h.store.createOrganization({ id: newId(), name: 'Acme', createdAt: at })).id;
    userId = (await h.store.ensureUser({ id: newId(), email: 'mo@example.com', createdAt: at })).id;
    await h.store.setMembership({ organizationId: orgId, userId, role: 'member' });
  });
  afterEach(() => h.close());

  const issue = (raw: Record<string, unknown>) =>
    runKeysIssue(
      parseKeysIssueOptions({ organizationId: orgId, email: 'mo@example.com', name: 'Member key', ...raw }, {}),
      h.deps,
    );

  it('issues a key for a plain member, canonical scopes, with an operator audit row; --json prints the raw key once', async () => {
    const code = await issue({
      scopes: 'projects:read, deploy:use-case,projects:read',
      description: 'for tests',
      expiresInDays: '30',
      json: true,
    });
    expect(code).toBe(0);
    const printed = JSON.parse(h.out());
    expect(printed).toEqual({
      keyId: expect.any(String),
      apiKey: expect.stringMatching(/^cko_[0-9A-Za-z]{28}$/),
      keyPrefix: printed.apiKey.slice(0, 8),
      name: 'Member key',
      description: 'for tests',
      scopes: ['deploy:use-case', 'projects:read'],
      organizationId: orgId,
      userId,
      createdAt: '2026-03-31T14:00:00.000Z',
      expiresAt: '2026-04-30T14:00:00.000Z',
    });
    const auth = await h.store.findAuthByHash(hashKey(printed.apiKey));
    expect(auth?.role).toBe('member');
    expect(auth?.key.scopes).toEqual(['deploy:use-case', 'projects:read']);
    const [audit] = await h.store.listAudit({ organizationId: orgId });
    expect(audit).toMatchObject({
      action: 'key.create',
      result: 'allowed',
      actorKeyId: null,
      actorUserId: null,
      targetKeyId: printed.keyId,
      after: { name: 'Member key', description: 'for tests', scopes: ['deploy:use-case', 'projects:read'] },
    });
  });

  it('prints readable lines without --json', async () => {
    expect(await issue({ scopes: 'skills:read' })).toBe(0);
    expect(h.out()).toMatch(/API key issued for mo@example.com \(member\)/);
    expect(h.out()).toMatch(/Scopes: {2}skills:read/);
    expect(h.out()).toMatch(/\n {2}cko_[0-9A-Za-z]{28}\n/);
  });

  it('refuses unknown scopes, naming them and the valid ones', () => {
    expect(() =>
      parseKeysIssueOptions({ organizationId: orgId, email: 'a@b', name: 'n', scopes: 'projects:reed,admin' }, {}),
    ).toThrow(/Unknown scopes "projects:reed" \(did you mean projects:read\?\), "admin". Valid scopes: deploy:use-case/);
  });

  it('refuses bad names, descriptions and expiries', () => {
    const base = { organizationId: orgId, email: 'a@b', scopes: 'skills:read' };
    expect(() => parseKeysIssueOptions({ ...base, name: 'x'.repeat(101) }, {})).toThrow(/--name/);
    expect(() => parseKeysIssueOptions({ ...base, name: 'n', description: 'x'.repeat(501) }, {})).toThrow(/--description/);
    expect(() => parseKeysIssueOptions({ ...base, name: 'n', expiresInDays: '0' }, {})).toThrow(/--expires-in-days/);
    expect(() => parseKeysIssueOptions({ ...base, name: 'n', expiresInDays: '1.5' }, {})).toThrow(/--expires-in-days/);
    expect(() => parseKeysIssueOptions({ ...base, name: 'n', expiresInDays: '366' }, {})).toThrow(/--expires-in-days/);
  });

  it('refuses a non-member and an unknown organization (exit 2)', async () => {
    expect(await issue({ email: 'stranger@example.com', scopes: 'skills:read' })).toBe(2);
    expect(h.err()).toMatch(/not a member/);
    expect(
      await runKeysIssue(
        parseKeysIssueOptions({ organizationId: 'x', email: 'a@b', name: 'n', scopes: 'skills:read' }, {}),
        h.deps,
      ),
    ).toBe(2);
  });

  it('refuses past the live-key limit (exit 2)', async () => {
    for (let i = 0; i < DEFAULT_MAX_KEYS_PER_ORG; i++) expect(await issue({ scopes: 'skills:read' })).toBe(0);
    expect(await issue({ scopes: 'skills:read' })).toBe(2);
    expect(h.err()).toMatch(/maximum of 20 live API keys/);
  });
});
