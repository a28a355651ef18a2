/**
 * Organizations, users and memberships as the operator CLI and the tests set them up, and the
 * first organization of an empty store. SqlStore (sql-store.ts) delegates here.
 */
import { DEFAULT_MIGRATION_LOCK_TABLE, MIGRATION_LOCK_ID, sql } from 'kysely';
import type { SqlContext } from './db.js';
import { normalizeEmail } from './emails.js';
import { insertKey } from './key-rows.js';
import type { FirstOrganizationInput, FirstOrganizationOutcome, Membership, Organization, User } from './types.js';

export class OrganizationStore {
  constructor(private readonly ctx: SqlContext) {}

  async createOrganization(input: { id: string; name: string; createdAt: string }): Promise<Organization> {
    await this.ctx.db
      .insertInto('organizations')
      .values({ id: input.id, name: input.name, created_at: input.createdAt })
      .execute();
    return { id: input.id, name: input.name, createdAt: input.createdAt };
  }

  async getOrganization(id: string): Promise<Organization | undefined> {
    const row = await this.ctx.db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? { id: row.id, name: row.name, createdAt: row.created_at } : undefined;
  }

  async ensureUser(input: { id: string; email: string; createdAt: string }): Promise<User> {
    const email = normalizeEmail(input.email);
    await this.ctx.db
      .insertInto('users')
      .values({ id: input.id, email, created_at: input.createdAt })
      .onConflict((oc) => oc.column('email').doNothing())
      .execute();
    const user = await this.getUserByEmail(email);
    if (!user) throw new Error('user vanished after insert');
    return user;
  }

  async getUserByEmail(email: string): Promise<User | undefined> {
    const row = await this.ctx.db.selectFrom('users').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst();
    return row ? { id: row.id, email: row.email, createdAt: row.created_at } : undefined;
  }

  async setMembership(m: Membership): Promise<void> {
    await this.ctx.db
      .insertInto('memberships')
      .values({ organization_id: m.organizationId, user_id: m.userId, role: m.role })
      .onConflict((oc) => oc.columns(['organization_id', 'user_id']).doUpdateSet({ role: m.role }))
      .execute();
  }

  async removeMembership(organizationId: string, userId: string): Promise<boolean> {
    const result = await this.ctx.db
      .deleteFrom('memberships')
      .where('organization_id', '=', organizationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async getMembership(organizationId: string, userId: string): Promise<Membership | undefined> {
    const row = await this.ctx.db
      .selectFrom('memberships')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? { organizationId: row.organization_id, userId: row.user_id, role: row.role } : undefined;
  }

  async isEmpty(): Promise<boolean> {
    const row = await this.ctx.db.selectFrom('organizations').select('id').limit(1).executeTakeFirst();
    return row === undefined;
  }

  async bootstrapFirstOrganization(input: FirstOrganizationInput): Promise<FirstOrganizationOutcome> {
    return this.ctx.transaction(async (trx): Promise<FirstOrganizationOutcome> => {
      // Instances starting together on one empty database queue here: the portable row lock on
      // the one row every migrated database has, the migrator's lock row. The later ones then
      // find an organization below and write nothing.
      await sql`update ${sql.table(DEFAULT_MIGRATION_LOCK_TABLE)} set is_locked = is_locked where id = ${MIGRATION_LOCK_ID}`.execute(
        trx,
      );
      const existing = await trx.selectFrom('organizations').select('id').limit(1).executeTakeFirst();
      if (existing !== undefined) return { status: 'not_empty' };
      const { organization, key } = input;
      const email = normalizeEmail(input.owner.email);
      await trx
        .insertInto('organizations')
        .values({ id: organization.id, name: organization.name, created_at: organization.createdAt })
        .execute();
      await trx
        .insertInto('users')
        .values({ id: input.owner.id, email, created_at: organization.createdAt })
        .onConflict((oc) => oc.column('email').doNothing())
        .execute();
      const owner = await trx
        .selectFrom('users')
        .select(['id', 'email', 'created_at'])
        .where('email', '=', email)
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('memberships')
        .values({ organization_id: organization.id, user_id: owner.id, role: 'owner', joined_at: organization.createdAt })
        .execute();
      const created = await insertKey(
        trx,
        { ...key, organizationId: organization.id, createdByUserId: owner.id },
        { ...input.audit, actorKeyId: null, actorUserId: null },
      );
      return {
        status: 'created',
        organization: { ...organization },
        owner: { id: owner.id, email: owner.email, createdAt: owner.created_at },
        key: created,
      };
    });
  }
}
