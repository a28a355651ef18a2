/**
 * The first-run bootstrap (Store.bootstrapFirstOrganization): one transaction that creates the
 * first organization, its owner and the owner key with its audit row — on an empty store only,
 * and exactly once when several instances (stores) on one database try at the same moment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCOPES } from '@codika/contract/scopes';
import { describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { hashKey, mintOrgKey } from '../secrets.js';
import { createTestSchema, storeFactories, testDatabaseUrl } from '../test-support/stores.js';
import { openStore } from './index.js';
import type { FirstOrganizationInput, Store } from './types.js';

const T0 = '2026-03-31T14:00:00.000Z';

function firstRunInput(email = 'owner@localhost'): { input: FirstOrganizationInput; rawKey: string } {
  const minted = mintOrgKey();
  return {
    rawKey: minted.rawKey,
    input: {
      organization: { id: newId(), name: 'Default Organization', createdAt: T0 },
      owner: { id: newId(), email },
      key: {
        id: newId(),
        name: 'Owner key',
        description: 'first run',
        scopes: [...SCOPES],
        prefix: minted.prefix,
        hash: minted.hash,
        createdAt: T0,
        expiresAt: null,
      },
      audit: { at: T0, requestId: newId(), sourceIp: null, userAgent: 'vitest' },
    },
  };
}

describe.each(storeFactories)('bootstrapFirstOrganization ($name)', (factory) => {
  it('on an empty store creates the organization, its owner, the key and its audit row; then never again', async () => {
    const store = await factory.create();
    try {
      const { input, rawKey } = firstRunInput('Owner@LocalHost');
      const outcome = await store.bootstrapFirstOrganization(input);
      expect(outcome.status).toBe('created');
      const auth = await store.findAuthByHash(hashKey(rawKey));
      expect(auth).toMatchObject({
        organization: { id: input.organization.id, name: 'Default Organization' },
        user: { email: 'owner@localhost' },
        role: 'owner',
        key: { id: input.key.id, scopes: [...SCOPES].sort(), revokedAt: null },
      });
      const audit = await store.listAudit({ organizationId: input.organization.id });
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ action: 'key.create', result: 'allowed', targetKeyId: input.key.id, userAgent: 'vitest' });

      const again = firstRunInput();
      expect(await store.bootstrapFirstOrganization(again.input)).toEqual({ status: 'not_empty' });
      expect(await store.findAuthByHash(hashKey(again.rawKey))).toBeUndefined();
      expect(await store.getOrganization(again.input.organization.id)).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('reuses an existing user with that e-mail', async () => {
    const store = await factory.create();
    try {
      const existing = await store.ensureUser({ id: newId(), email: 'owner@localhost', createdAt: T0 });
      const { input } = firstRunInput();
      const outcome = await store.bootstrapFirstOrganization(input);
      expect(outcome.status === 'created' && outcome.owner.id).toBe(existing.id);
      expect(await store.getMembership(input.organization.id, existing.id)).toMatchObject({ role: 'owner' });
    } finally {
      await store.close();
    }
  });
});

/** Several stores on one database, each trying the first run at the same moment. */
async function race(stores: Store[]): Promise<number> {
  const outcomes = await Promise.all(stores.map((s) => s.bootstrapFirstOrganization(firstRunInput().input)));
  return outcomes.filter((o) => o.status === 'created').length;
}

describe('bootstrapFirstOrganization by instances starting together', () => {
  it('SQLite: four stores on one new file, migrating together, exactly one bootstrap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codika-first-run-'));
    const file = join(dir, 'codika.db');
    const stores: Store[] = [];
    try {
      for (let i = 0; i < 4; i++) stores.push(await openStore({ sqliteFile: file }));
      // They migrate the new file at the same moment too: one does, the others wait and find nothing pending.
      await Promise.all(stores.map((s) => s.migrate()));
      expect(await race(stores)).toBe(1);
      const orgs = await Promise.all(stores.map((s) => s.isEmpty()));
      expect(orgs).toEqual([false, false, false, false]);
    } finally {
      for (const s of stores) await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!testDatabaseUrl)('PostgreSQL: four stores on one schema, exactly one bootstrap', async () => {
    const schema = await createTestSchema();
    const stores: Store[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        const store = await openStore({ databaseUrl: schema.url });
        await store.migrate();
        stores.push(store);
      }
      for (let round = 0; round < 3; round++) {
        expect(await race(stores)).toBe(round === 0 ? 1 : 0);
      }
    } finally {
      for (const s of stores) await s.close();
      await schema.drop();
    }
  });
});
