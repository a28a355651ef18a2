/**
 * Dashboard sessions: a key's (opened with an API key) or a person's (opened by e-mailed
 * code). Only the hash of a session id is stored. SqlStore (sql-store.ts) delegates here.
 */
import type { SqlContext } from './db.js';
import type { AuthRecord, NewSessionInput, UserSessionRecord } from './types.js';

export class SessionStore {
  /** `findAuthByKeyId`: the auth record of a key session's key (keys.ts). */
  constructor(
    private readonly ctx: SqlContext,
    private readonly findAuthByKeyId: (keyId: string) => Promise<AuthRecord | undefined>,
  ) {}

  async createSession(input: NewSessionInput): Promise<void> {
    const actor =
      'keyId' in input
        ? { key_id: input.keyId, user_id: null, organization_id: null }
        : { key_id: null, user_id: input.userId, organization_id: input.organizationId };
    await this.ctx.db
      .insertInto('sessions')
      .values({ id_hash: input.idHash, ...actor, created_at: input.createdAt, expires_at: input.expiresAt })
      .execute();
  }

  async findAuthBySession(idHash: string, now: string): Promise<AuthRecord | undefined> {
    const session = await this.ctx.db
      .selectFrom('sessions')
      .select('key_id')
      .where('id_hash', '=', idHash)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return session?.key_id ? this.findAuthByKeyId(session.key_id) : undefined;
  }

  async findUserBySession(idHash: string, now: string): Promise<UserSessionRecord | undefined> {
    const row = await this.ctx.db
      .selectFrom('sessions as x')
      .innerJoin('users as u', 'u.id', 'x.user_id')
      .leftJoin('organizations as o', 'o.id', 'x.organization_id')
      .leftJoin('memberships as m', (join) =>
        join.onRef('m.organization_id', '=', 'x.organization_id').onRef('m.user_id', '=', 'x.user_id'),
      )
      .select([
        'u.id as user_id',
        'u.email',
        'u.created_at as user_created_at',
        'o.id as organization_id',
        'o.name as organization_name',
        'o.created_at as organization_created_at',
        'm.role',
      ])
      .where('x.id_hash', '=', idHash)
      .where('x.expires_at', '>', now)
      .executeTakeFirst();
    if (!row) return undefined;
    const organization =
      row.organization_id !== null && row.organization_name !== null && row.organization_created_at !== null
        ? { id: row.organization_id, name: row.organization_name, createdAt: row.organization_created_at }
        : null;
    return {
      user: { id: row.user_id, email: row.email, createdAt: row.user_created_at },
      organization,
      role: organization === null ? null : (row.role ?? null),
    };
  }

  async setSessionOrganization(idHash: string, organizationId: string, now: string): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable('sessions')
      .set({ organization_id: organizationId })
      .where('id_hash', '=', idHash)
      .where('user_id', 'is not', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async deleteSession(idHash: string): Promise<boolean> {
    const result = await this.ctx.db.deleteFrom('sessions').where('id_hash', '=', idHash).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async deleteExpiredSessions(now: string): Promise<number> {
    const result = await this.ctx.db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
