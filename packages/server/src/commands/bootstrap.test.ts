import { canonicalScopes, SCOPES } from '@codika/contract/scopes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashKey } from '../secrets.js';
import { parseBootstrapOptions, runBootstrap } from './bootstrap.js';
import { type Harness, harness } from './cli.test-helpers.js';

describe('codika-server bootstrap', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('creates the organization, its owner and an owner key with all ten scopes; prints them once as JSON', async () => {
    const code = await runBootstrap(
      parseBootstrapOptions({ orgName: 'Acme Corp', ownerEmail: 'Boss@Acme.io', json: true }, {}),
      h.deps,
    );
    expect(code).toBe(0);
    expect(h.err()).toBe('');
    const printed = JSON.parse(h.out());
    expect(Object.keys(printed).sort()).toEqual(['apiKey', 'keyId', 'organizationId', 'userId']);
    expect(printed.apiKey).toMatch(/^cko_[0-9A-Za-z]{28}$/);

    const auth = await h.store.findAuthByHash(hashKey(printed.apiKey));
    expect(auth?.key.id).toBe(printed.keyId);
    expect(auth?.key.scopes).toEqual(canonicalScopes(SCOPES));
    expect(auth?.organization).toMatchObject({ id: printed.organizationId, name: 'Acme Corp' });
    expect(auth?.user).toMatchObject({ id: printed.userId, email: 'boss@acme.io' });
    expect(auth?.role).toBe('owner');

    const [audit] = await h.store.listAudit({ organizationId: printed.organizationId });
    expect(audit).toMatchObject({
      action: 'key.create',
      result: 'allowed',
      actorKeyId: null,
      actorUserId: null,
      targetKeyId: printed.keyId,
    });
  });

  it('prints readable lines without --json', async () => {
    expect(await runBootstrap(parseBootstrapOptions({ orgName: 'Acme', ownerEmail: 'a@b.io' }, {}), h.deps)).toBe(0);
    expect(h.out()).toMatch(/Organization "Acme" created/);
    expect(h.out()).toMatch(/\n {2}cko_[0-9A-Za-z]{28}\n/);
  });

  it('uses --db, then CODIKA_DB, then ./.codika/codika.db', () => {
    const db = (flags: { db?: string }, env: Record<string, string>) =>
      parseBootstrapOptions({ ...flags, orgName: 'A', ownerEmail: 'a@b' }, env).database;
    expect(db({ db: 'x.db' }, { CODIKA_DB: 'env.db' })).toEqual({ sqliteFile: 'x.db' });
    expect(db({}, { CODIKA_DB: 'env.db' })).toEqual({ sqliteFile: 'env.db' });
    expect(db({}, {})).toEqual({ sqliteFile: './.codika/codika.db' });
  });

  it('refuses a bad email or organization name', () => {
    expect(() => parseBootstrapOptions({ orgName: 'A', ownerEmail: 'not-an-email' }, {})).toThrow(/not an email/);
    expect(() => parseBootstrapOptions({ orgName: '  ', ownerEmail: 'a@b' }, {})).toThrow(/--org-name is required/);
    expect(() => parseBootstrapOptions({ orgName: 'x'.repeat(101), ownerEmail: 'a@b' }, {})).toThrow(/at most 100/);
  });
});
