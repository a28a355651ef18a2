/**
 * The store's accounts methods on every database (storeFactories: SQLite, and PostgreSQL with
 * CODIKA_TEST_DATABASE_URL): codes (replace, attempt counting, burning, expiry, purpose,
 * concurrency), sign-up and sign-in in one transaction each, a user's organizations,
 * organization creation. The store never sees a code, only its stored form and a check; here
 * the stored form is `test:<code>`.
 */
import { SCOPES, type Scope } from '@codika/contract/scopes';
import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { mintOrgKey } from '../secrets.js';
import { storeFactories } from '../test-support/stores.js';
import type { AuditOrigin, CodePurpose, MintedKeyInput, Role, Store } from './types.js';

const T0 = '2026-03-31T14:00:00.000Z';
const T1 = '2026-03-31T14:01:00.000Z';
const EXPIRES = '2026-03-31T14:10:00.000Z';
const ALL: Scope[] = [...SCOPES];
const NO_MANAGE: Scope[] = SCOPES.filter((s) => s !== 'api-keys:manage');
const scopesFor = (role: Role): Scope[] => (role === 'member' ? NO_MANAGE : ALL);

function audit(): AuditOrigin {
  return { at: T1, requestId: newId(), actorKeyId: null, actorUserId: null, sourceIp: '192.0.2.1', userAgent: 'vitest' };
}

function mintedKey(): MintedKeyInput {
  const minted = mintOrgKey();
  return {
    id: newId(),
    name: 'CLI default key',
    description: '',
    prefix: minted.prefix,
    hash: minted.hash,
    createdAt: T1,
    expiresAt: null,
  };
}

async function saveCode(store: Store, email: string, code: string, purpose: CodePurpose = 'login', expiresAt = EXPIRES) {
  await store.saveLoginCode({ email, purpose, codeHash: `test:${code}`, createdAt: T0, expiresAt });
}

function attempt(email: string, code: string, purpose: CodePurpose = 'login', now = T1) {
  return { email, purpose, now, check: (hash: string) => hash === `test:${code}`, maxAttempts: 5 };
}

function signup(store: Store, email: string, code: string, overrides: { orgId?: string; name?: string } = {}) {
  return store.completeSignup({
    ...attempt(email, code, 'signup'),
    userId: newId(),
    organization: { id: overrides.orgId ?? newId(), name: overrides.name ?? 'Acme Corp', description: 'desc', size: '2-10' },
    key: mintedKey(),
    scopes: ALL,
    audit: audit(),
  });
}

function login(store: Store, email: string, code: string, options: { organizationId?: string; maxLiveKeys?: number } = {}) {
  return store.completeLogin({
    ...attempt(email, code),
    ...(options.organizationId === undefined ? {} : { organizationId: options.organizationId }),
    key: mintedKey(),
    scopesFor,
    maxLiveKeys: options.maxLiveKeys ?? 20,
    audit: audit(),
  });
}

/** The store's own connection, for raw reads the interface does not offer. */
function dbOf(store: Store): Kysely<unknown> {
  return (store as unknown as { db: Kysely<unknown> }).db;
}

async function count(store: Store, table: 'organizations' | 'api_keys' | 'login_codes'): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(dbOf(store));
  return Number(rows[0]?.n);
}

async function lastSignIn(store: Store, email: string): Promise<string | null> {
  const { rows } = await sql<{ at: string | null }>`select last_sign_in_at as at from users where email = ${email}`.execute(
    dbOf(store),
  );
  const at = rows[0]?.at ?? null;
  return at === null ? null : new Date(at).toISOString();
}

async function seedMember(store: Store, email: string, orgs: { name: string; role: Role }[]) {
  const user = await store.ensureUser({ id: newId(), email, createdAt: T0 });
  const created = [];
  for (const o of orgs) {
    const org = await store.createOrganization({ id: newId(), name: o.name, createdAt: T0 });
    await store.setMembership({ organizationId: org.id, userId: user.id, role: o.role });
    created.push(org);
  }
  return { user, orgs: created };
}

for (const factory of storeFactories) {
  describe(`Store accounts: ${factory.name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('codes', () => {
      it('a new code replaces the previous one (and resets its attempts); the old one no longer works', async () => {
        await seedMember(store, 'ada@example.com', [{ name: 'Acme', role: 'owner' }]);
        await saveCode(store, 'ada@example.com', '111111');
        for (let i = 0; i < 4; i++) expect((await login(store, 'ada@example.com', '000000')).status).toBe('invalid_code');
        await saveCode(store, 'Ada@Example.com', '222222');
        expect(await count(store, 'login_codes')).toBe(1);
        expect((await login(store, 'ada@example.com', '111111')).status).toBe('invalid_code');
        // Attempts were reset: 1 wrong above + 3 more, then the right one still works.
        for (let i = 0; i < 3; i++) expect((await login(store, 'ada@example.com', '000000')).status).toBe('invalid_code');
        expect((await login(store, 'ada@example.com', '222222')).status).toBe('signed_in');
      });

      it('five wrong tries burn the code: the right one fails after them, and the row is gone', async () => {
        await seedMember(store, 'ada@example.com', [{ name: 'Acme', role: 'owner' }]);
        await saveCode(store, 'ada@example.com', '123456');
        for (let i = 0; i < 5; i++) expect((await login(store, 'ada@example.com', `00000${i}`)).status).toBe('invalid_code');
        expect(await count(store, 'login_codes')).toBe(0);
        expect((await login(store, 'ada@example.com', '123456')).status).toBe('invalid_code');
        expect(await count(store, 'api_keys')).toBe(0);
      });

      it('the right code on the fifth try still works', async () => {
        await seedMember(store, 'ada@example.com', [{ name: 'Acme', role: 'owner' }]);
        await saveCode(store, 'ada@example.com', '123456');
        for (let i = 0; i < 4; i++) await login(store, 'ada@example.com', '000000');
        expect((await login(store, 'ada@example.com', '123456')).status).toBe('signed_in');
      });

      it('a code is single use, expires at expires_at, and never completes the other purpose', async () => {
        await seedMember(store, 'ada@example.com', [{ name: 'Acme', role: 'owner' }]);
        await saveCode(store, 'ada@example.com', '123456');
        expect((await login(store, 'ada@example.com', '123456')).status).toBe('signed_in');
        expect((await login(store, 'ada@example.com', '123456')).status).toBe('invalid_code');

        await saveCode(store, 'ada@example.com', '123456', 'login', T1);
        expect((await login(store, 'ada@example.com', '123456')).status).toBe('invalid_code'); // expired at T1 exactly

        await saveCode(store, 'ada@example.com', '123456', 'signup');
        expect((await login(store, 'ada@example.com', '123456')).status).toBe('invalid_code');
        await saveCode(store, 'bob@example.com', '654321', 'login');
        expect((await signup(store, 'bob@example.com', '654321')).status).toBe('invalid_code');
      });

      it('saving a code sweeps expired ones; deleteLoginCode with a hash removes only that code', async () => {
        await saveCode(store, 'old@example.com', '111111', 'login', T0);
        await saveCode(store, 'ada@example.com', '222222');
        expect(await count(store, 'login_codes')).toBe(1);
        expect(await store.deleteLoginCode('ada@example.com', 'test:999999')).toBe(false);
        expect(await count(store, 'login_codes')).toBe(1);
        expect(await store.deleteLoginCode('ADA@example.com', 'test:222222')).toBe(true);
        expect(await count(store, 'login_codes')).toBe(0);
        await saveCode(store, 'ada@example.com', '222222');
        expect(await store.deleteLoginCode('ada@example.com')).toBe(true);
      });

      it('a wrong code writes account.code_failed: one row per organization of the user, else one without organization', async () => {
        const { user, orgs } = await seedMember(store, 'ada@example.com', [
          { name: 'Acme', role: 'owner' },
          { name: 'Beta', role: 'member' },
        ]);
        await login(store, 'ada@example.com', '000000');
        const rows = await store.listAudit({ targetUserId: user.id });
        expect(rows.map((r) => r.organizationId).sort()).toEqual(orgs.map((o) => o.id).sort());
        for (const r of rows) {
          expect(r).toMatchObject({
            action: 'account.code_failed',
            result: 'denied',
            reason: 'INVALID_CODE',
            actorKeyId: null,
            actorUserId: null,
            after: { email: 'ada@example.com', purpose: 'login' },
            sourceIp: '192.0.2.1',
          });
        }
        await signup(store, 'nobody@example.com', '000000');
        const orphan = await store.listAudit({ organizationId: null });
        expect(orphan).toHaveLength(1);
        expect(orphan[0]).toMatchObject({
          action: 'account.code_failed',
          targetUserId: null,
          after: { email: 'nobody@example.com', purpose: 'signup' },
        });
      });

      it('20 concurrent wrong tries count at most 5 and burn the code; then the right code fails', async () => {
        await seedMember(store, 'ada@example.com', [{ name: 'Acme', role: 'owner' }]);
        await saveCode(store, 'ada@example.com', '123456');
        const outcomes = await Promise.all(Array.from({ length: 20 }, () => login(store, 'ada@example.com', '000000')));
        expect(outcomes.every((o) => o.status === 'invalid_code')).toBe(true);
        expect(await count(store, 'login_codes')).toBe(0);
        expect((await login(store, 'ada@example.com', '123456')).status).toBe('invalid_code');
      });

      it('10 concurrent completions with the right code: exactly one signs in', async () => {
        await seedMember(store, 'ada@example.com', [{ name: 'Acme', role: 'owner' }]);
        await saveCode(store, 'ada@example.com', '123456');
        const outcomes = await Promise.all(Array.from({ length: 10 }, () => login(store, 'ada@example.com', '123456')));
        expect(outcomes.filter((o) => o.status === 'signed_in')).toHaveLength(1);
        expect(await count(store, 'api_keys')).toBe(1);
      });
    });

    describe('completeSignup', () => {
      it('creates the user, the organization with its details, the owner membership and the key, with three audit rows', async () => {
        await saveCode(store, 'ada@example.com', '123456', 'signup');
        const outcome = await signup(store, 'Ada@Example.com', '123456');
        if (outcome.status !== 'signed_up') throw new Error(outcome.status);
        expect(outcome.isNewUser).toBe(true);
        expect(outcome.user.email).toBe('ada@example.com');
        expect(outcome.organization).toMatchObject({ name: 'Acme Corp', description: 'desc', size: '2-10', createdAt: T1 });
        expect(outcome.key).toMatchObject({
          organizationId: outcome.organization.id,
          createdByUserId: outcome.user.id,
          scopes: [...ALL].sort(),
        });
        expect(await store.getMembership(outcome.organization.id, outcome.user.id)).toMatchObject({ role: 'owner' });
        expect(await store.listUserOrganizations(outcome.user.id)).toEqual([
          { id: outcome.organization.id, name: 'Acme Corp', role: 'owner' },
        ]);
        expect(await lastSignIn(store, 'ada@example.com')).toBe(T1);
        const rows = await store.listAudit({ organizationId: outcome.organization.id });
        expect(rows.map((r) => r.action).sort()).toEqual(['account.signup', 'key.create', 'organization.create']);
        for (const r of rows)
          expect(r).toMatchObject({ actorUserId: outcome.user.id, targetUserId: outcome.user.id, result: 'allowed' });
        expect(rows.find((r) => r.action === 'key.create')).toMatchObject({
          targetKeyId: outcome.key.id,
          after: { name: 'CLI default key' },
        });
        expect(await count(store, 'login_codes')).toBe(0);
      });

      it('a failure in the middle leaves nothing half-made and the code usable', async () => {
        const taken = await store.createOrganization({ id: newId(), name: 'Taken', createdAt: T0 });
        await saveCode(store, 'ada@example.com', '123456', 'signup');
        // The organization id collides: the insert fails after the user row was written.
        await expect(signup(store, 'ada@example.com', '123456', { orgId: taken.id })).rejects.toThrow();
        expect(await store.getUserByEmail('ada@example.com')).toBeUndefined();
        expect(await count(store, 'organizations')).toBe(1);
        expect(await count(store, 'api_keys')).toBe(0);
        expect((await store.listAudit({})).length).toBe(0);
        expect((await signup(store, 'ada@example.com', '123456')).status).toBe('signed_up');
      });

      it('an address whose user already exists (added meanwhile) gets a new organization it owns, isNewUser false', async () => {
        const { user } = await seedMember(store, 'ada@example.com', []);
        await saveCode(store, 'ada@example.com', '123456', 'signup');
        const outcome = await signup(store, 'ada@example.com', '123456');
        expect(outcome).toMatchObject({ status: 'signed_up', isNewUser: false, user: { id: user.id } });
      });
    });

    describe('completeLogin', () => {
      it('mints a key in the only organization with the role scopes, sets last sign-in, writes key.create and account.login', async () => {
        const { user, orgs } = await seedMember(store, 'mia@example.com', [{ name: 'Acme', role: 'member' }]);
        await saveCode(store, 'mia@example.com', '123456');
        const outcome = await login(store, 'MIA@example.com', '123456');
        if (outcome.status !== 'signed_in') throw new Error(outcome.status);
        expect(outcome).toMatchObject({ role: 'member', organization: { id: orgs[0]?.id, name: 'Acme', createdAt: T0 } });
        expect(outcome.key.scopes).toEqual([...NO_MANAGE].sort());
        expect(outcome.key.createdByUserId).toBe(user.id);
        expect(await lastSignIn(store, 'mia@example.com')).toBe(T1);
        const rows = await store.listAudit({ targetUserId: user.id });
        expect(rows.map((r) => r.action).sort()).toEqual(['account.login', 'key.create']);
        for (const r of rows)
          expect(r).toMatchObject({ organizationId: orgs[0]?.id, targetKeyId: outcome.key.id, actorUserId: user.id });
      });

      it('several organizations and no organizationId: the list, the code neither consumed nor counted', async () => {
        const { orgs } = await seedMember(store, 'ada@example.com', [
          { name: 'Zeta', role: 'owner' },
          { name: 'Alpha', role: 'admin' },
        ]);
        await saveCode(store, 'ada@example.com', '123456');
        for (let i = 0; i < 4; i++) await login(store, 'ada@example.com', '000000');
        const multiple = await login(store, 'ada@example.com', '123456');
        expect(multiple).toEqual({
          status: 'multiple_organizations',
          organizations: [
            { id: orgs[1]?.id, name: 'Alpha', role: 'admin' },
            { id: orgs[0]?.id, name: 'Zeta', role: 'owner' },
          ],
        });
        expect(await count(store, 'api_keys')).toBe(0);
        // Had the right attempt counted, this would be the sixth try and fail.
        const chosen = await login(store, 'ada@example.com', '123456', { organizationId: orgs[0]?.id as string });
        expect(chosen).toMatchObject({ status: 'signed_in', role: 'owner', organization: { name: 'Zeta' } });
      });

      it('an organization the user is not in, no organization at all, a full organization: refused, the code kept', async () => {
        const stranger = await store.createOrganization({ id: newId(), name: 'Stranger', createdAt: T0 });
        const { user, orgs } = await seedMember(store, 'ada@example.com', [{ name: 'Acme', role: 'owner' }]);
        await saveCode(store, 'ada@example.com', '123456');
        expect(await login(store, 'ada@example.com', '123456', { organizationId: stranger.id })).toEqual({
          status: 'organization_not_found',
          organizations: [{ id: orgs[0]?.id, name: 'Acme', role: 'owner' }],
        });
        await store.createKey(
          { ...mintedKey(), organizationId: orgs[0]?.id as string, createdByUserId: user.id, scopes: ['projects:read'] },
          20,
          audit(),
        );
        expect(await login(store, 'ada@example.com', '123456', { maxLiveKeys: 1 })).toEqual({
          status: 'limit_reached',
          limit: 1,
        });
        await seedMember(store, 'loner@example.com', []);
        await saveCode(store, 'loner@example.com', '654321');
        expect(await login(store, 'loner@example.com', '654321')).toEqual({ status: 'no_organization' });
        expect(await count(store, 'login_codes')).toBe(2);
        expect((await login(store, 'ada@example.com', '123456')).status).toBe('signed_in');
      });
    });

    describe('redeemLoginCode, organizations', () => {
      it('redeems a right code once, returning the user and their organizations', async () => {
        const { user, orgs } = await seedMember(store, 'ada@example.com', [{ name: 'Acme', role: 'admin' }]);
        await saveCode(store, 'ada@example.com', '123456');
        const outcome = await store.redeemLoginCode({ ...attempt('ada@example.com', '123456'), audit: audit() });
        expect(outcome).toEqual({ status: 'redeemed', user, organizations: [{ id: orgs[0]?.id, name: 'Acme', role: 'admin' }] });
        expect((await store.redeemLoginCode({ ...attempt('ada@example.com', '123456'), audit: audit() })).status).toBe(
          'invalid_code',
        );
        expect(await lastSignIn(store, 'ada@example.com')).toBe(T1);
      });

      it('createOrganizationForUser: organization, owner membership and its audit row', async () => {
        const { user } = await seedMember(store, 'ada@example.com', [{ name: 'Zeta', role: 'member' }]);
        const org = await store.createOrganizationForUser({
          organization: { id: newId(), name: 'Alpha', description: '', size: null, createdAt: T1 },
          ownerUserId: user.id,
          audit: { ...audit(), actorKeyId: 'key-1', actorUserId: user.id },
        });
        expect(org).toMatchObject({ name: 'Alpha', description: '', size: null, createdAt: T1 });
        expect((await store.listUserOrganizations(user.id)).map((o) => `${o.name}:${o.role}`)).toEqual([
          'Alpha:owner',
          'Zeta:member',
        ]);
        const rows = await store.listAudit({ organizationId: org.id });
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({
          action: 'organization.create',
          actorKeyId: 'key-1',
          actorUserId: user.id,
          targetUserId: user.id,
        });
      });
    });
  });
}
