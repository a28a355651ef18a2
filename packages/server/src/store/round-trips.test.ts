/**
 * Database round trips per operation on PostgreSQL (issue 14): every query the store sends,
 * BEGIN and COMMIT included, is one round trip (node-postgres does not pipeline), counted
 * through the adapter's onQuery hook. The hot paths have an exact budget, so a change that
 * adds a query fails here and not only in the bench; the list paths (members, keys, a
 * user's organizations) and sign-in must not grow with the number of rows (no N+1).
 *
 * PostgreSQL only (CODIKA_TEST_DATABASE_URL): on SQLite a query is a function call in the
 * process, not a round trip.
 */
import type { Scope } from '@codika/contract/scopes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { hashKey, mintOrgKey } from '../secrets.js';
import { seed, seedKey, seedUser, T0 } from '../test-support/http.js';
import { createTestSchema, type TestSchema, testDatabaseUrl } from '../test-support/stores.js';
import type { AuthFence } from './auth-fence.js';
import { openPostgres } from './postgres.js';
import { SqlStore } from './sql-store.js';
import type { AuditOrigin, Role, Store } from './types.js';

const T1 = '2026-03-31T15:00:00.000Z';

describe.skipIf(!testDatabaseUrl)('PostgreSQL round trips per operation', () => {
  let schema: TestSchema;
  let store: Store;
  let sent: string[] = [];
  let counting = false;

  /** The queries `fn` sends, in order. */
  async function tripsOf(fn: () => Promise<unknown>): Promise<string[]> {
    sent = [];
    counting = true;
    try {
      await fn();
    } finally {
      counting = false;
    }
    return sent;
  }

  beforeAll(async () => {
    schema = await createTestSchema();
    store = new SqlStore(
      openPostgres({
        databaseUrl: schema.url,
        onQuery: (text) => {
          if (counting) sent.push(text.replace(/\s+/g, ' ').slice(0, 80));
        },
      }),
    );
    await store.migrate();
  });

  afterAll(async () => {
    await store?.close();
    await schema?.drop();
  });

  function keyAudit(_organizationId: string, _keyId: string): AuditOrigin {
    return {
      at: T1,
      requestId: newId(),
      actorKeyId: null,
      actorUserId: null,
      sourceIp: '192.0.2.1',
      userAgent: 'vitest',
    };
  }

  it('authentication by key hash: one query, or one shared fence when cached', async () => {
    const data = await seed(store);
    const hash = hashKey(data.keys.owner.raw);
    // not cached: the one query (the first lookup also opens the listening connection of the
    // auth cache in the background, outside the count)
    await store.findAuthByHash(hash);
    const fence = (store as unknown as { authFence: AuthFence }).authFence;
    for (let i = 0; i < 200 && fence.token() === undefined; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await tripsOf(() => store.findAuthByHash(hash))).toHaveLength(1);
    // cached: one fence (auth-fence.ts) and no row read
    expect(await tripsOf(() => store.findAuthByHash(hash))).toEqual(['select 1 -- auth fence']);
    // 50 at once: fences are shared, rows are not read
    const many = await tripsOf(() => Promise.all(Array.from({ length: 50 }, () => store.findAuthByHash(hash))));
    expect(many.every((q) => q === 'select 1 -- auth fence')).toBe(true);
    expect(many.length).toBeLessThanOrEqual(5);
    const unknown = await tripsOf(() => store.findAuthByHash('0'.repeat(64)));
    expect(unknown).toHaveLength(1);
    // the last-use write, once per interval: one statement
    expect(await tripsOf(() => store.touchLastUsed(data.keys.owner.id, T1, T1))).toHaveLength(1);
  });

  it('a key update: BEGIN, lock, read, one statement for every write, COMMIT — five round trips', async () => {
    const data = await seed(store);
    const { orgA, keys } = data;
    const allow = () => null;
    const update = (change: Parameters<Store['updateKey']>[0]['change'], options: { dryRun?: boolean; keyId?: string } = {}) =>
      store.updateKey({
        organizationId: orgA.id,
        keyId: options.keyId ?? keys.target.id,
        change,
        dryRun: options.dryRun ?? false,
        now: T1,
        judge: allow,
        audit: keyAudit(orgA.id, options.keyId ?? keys.target.id),
      });

    // name, description and scopes (rows leave and arrive): still one write statement
    const full = await tripsOf(() =>
      update({ name: 'renamed', description: 'd', scopes: ['projects:read', 'instances:read'] as Scope[] }),
    );
    expect(full).toHaveLength(5);
    expect(full[0]).toMatch(/^begin/i);
    expect(full[4]).toMatch(/^commit/i);
    expect(await store.getLiveKey(orgA.id, keys.target.id, T1)).toMatchObject({
      name: 'renamed',
      description: 'd',
      scopes: ['instances:read', 'projects:read'],
    });

    expect(await tripsOf(() => update({ addScopes: ['skills:read'] as Scope[] }))).toHaveLength(5);
    expect(await tripsOf(() => update({ name: 'dry' }, { dryRun: true }))).toHaveLength(5);
    const denied = await tripsOf(() =>
      store.updateKey({
        organizationId: orgA.id,
        keyId: keys.target.id,
        change: { name: 'no' },
        dryRun: false,
        now: T1,
        judge: () => ({ code: 'SCOPE_ESCALATION' }),
        audit: keyAudit(orgA.id, keys.target.id),
      }),
    );
    expect(denied).toHaveLength(5);
    // not found: BEGIN, lock (0 rows), the denied audit row, COMMIT
    expect(await tripsOf(() => update({ name: 'x' }, { keyId: newId() }))).toHaveLength(4);
  });

  it('lists and sign-in do not grow with the number of rows (no N+1)', async () => {
    const data = await seed(store);
    const { orgA } = data;
    const origin = (): AuditOrigin => ({
      at: T1,
      requestId: newId(),
      actorKeyId: null,
      actorUserId: null,
      sourceIp: '192.0.2.1',
      userAgent: 'vitest',
    });

    const membersBefore = (await tripsOf(() => store.listMembers(orgA.id, T1))).length;
    const keysBefore = (await tripsOf(() => store.listLiveKeys(orgA.id, T1))).length;
    const orgsBefore = (await tripsOf(() => store.listUserOrganizations(data.users.owner.id))).length;
    for (let i = 0; i < 8; i++) {
      const user = await seedUser(store, orgA.id, `extra-${i}-${newId()}@acme.test`, 'member');
      await seedKey(store, orgA.id, user.id, { name: `extra ${i}` });
      const org = await store.createOrganization({ id: newId(), name: `Org ${i}`, createdAt: T0 });
      await store.setMembership({ organizationId: org.id, userId: data.users.owner.id, role: 'admin' });
    }
    expect((await tripsOf(() => store.listMembers(orgA.id, T1))).length).toBe(membersBefore);
    expect((await tripsOf(() => store.listLiveKeys(orgA.id, T1))).length).toBe(keysBefore);
    expect((await tripsOf(() => store.listUserOrganizations(data.users.owner.id))).length).toBe(orgsBefore);
    expect(membersBefore).toBeLessThanOrEqual(2);
    expect(keysBefore).toBe(1);
    expect(orgsBefore).toBe(1);

    // member changes: a fixed number of statements in one transaction, whatever the organization's size
    const change = async () => {
      const email = `m-${newId()}@acme.test`;
      const add = await tripsOf(() =>
        store.addMember({
          organizationId: orgA.id,
          email,
          role: 'member',
          newUserId: newId(),
          now: T1,
          actor: { kind: 'operator' },
          audit: origin(),
        }),
      );
      const role = await tripsOf(() =>
        store.updateMemberRole({
          organizationId: orgA.id,
          member: { email },
          role: 'admin',
          now: T1,
          actor: { kind: 'operator' },
          audit: origin(),
        }),
      );
      const remove = await tripsOf(() =>
        store.removeMember({ organizationId: orgA.id, member: { email }, now: T1, actor: { kind: 'operator' }, audit: origin() }),
      );
      return [add.length, role.length, remove.length];
    };
    const small = await change();
    for (let i = 0; i < 8; i++) await seedUser(store, orgA.id, `more-${i}-${newId()}@acme.test`, 'member');
    expect(await change()).toEqual(small);
    for (const n of small) expect(n).toBeLessThanOrEqual(12);

    // removing a member revokes their live keys: one statement for the keys and one for their audit rows
    const removeWithKeys = async (keyCount: number) => {
      const user = await seedUser(store, orgA.id, `k-${newId()}@acme.test`, 'member');
      for (let i = 0; i < keyCount; i++) await seedKey(store, orgA.id, user.id, { name: `k ${i}` });
      const trips = await tripsOf(() =>
        store.removeMember({
          organizationId: orgA.id,
          member: { userId: user.id },
          now: T1,
          actor: { kind: 'operator' },
          audit: origin(),
        }),
      );
      const audit = await store.listAudit({ organizationId: orgA.id, targetUserId: undefined, limit: 1000 });
      expect(audit.filter((a) => a.action === 'key.revoke' && a.requestId === audit[0]?.requestId)).toHaveLength(keyCount);
      return trips.length;
    };
    expect(await removeWithKeys(6)).toBe(await removeWithKeys(1));
  });

  it('sign-in by code does not grow with the number of organizations or keys', async () => {
    const data = await seed(store);
    const email = data.users.owner.email;
    const mintedKey = () => {
      const minted = mintOrgKey();
      return {
        id: newId(),
        name: 'CLI key',
        description: '',
        prefix: minted.prefix,
        hash: minted.hash,
        createdAt: T1,
        expiresAt: null,
      };
    };
    const audit = (): AuditOrigin => ({
      at: T1,
      requestId: newId(),
      actorKeyId: null,
      actorUserId: null,
      sourceIp: '192.0.2.1',
      userAgent: 'vitest',
    });
    const signIn = async () => {
      await store.saveLoginCode({
        email,
        purpose: 'login',
        codeHash: 'test:1',
        createdAt: T0,
        expiresAt: '2026-03-31T16:00:00.000Z',
      });
      const trips = await tripsOf(() =>
        store.completeLogin({
          email,
          purpose: 'login',
          now: T1,
          check: (hash) => hash === 'test:1',
          maxAttempts: 5,
          organizationId: data.orgA.id,
          key: mintedKey(),
          scopesFor: (_role: Role) => ['projects:read'],
          maxLiveKeys: 1000,
          audit: audit(),
        }),
      );
      return trips.length;
    };
    const before = await signIn();
    for (let i = 0; i < 8; i++) {
      const org = await store.createOrganization({ id: newId(), name: `Org ${i}`, createdAt: T0 });
      await store.setMembership({ organizationId: org.id, userId: data.users.owner.id, role: 'member' });
      await seedKey(store, data.orgA.id, data.users.owner.id, { name: `more ${i}` });
    }
    expect(await signIn()).toBe(before);
    // Today: BEGIN, the code (attempt, check, burn), the user, their organizations, the
    // organization's lock and row, the role, the live-key count, the key and its scopes and
    // its read-back, the sign-in time, two audit rows, COMMIT. A rare path (once per person
    // per sign-in), so not folded further; a change that adds a query raises this on purpose.
    expect(before).toBeLessThanOrEqual(17);
  });
});
