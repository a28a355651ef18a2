/**
 * Migration 0006 on a database that already holds key sessions (SQLite rebuilds the table,
 * PostgreSQL alters it): the rows survive, and the CHECK keeps a session either a key's or a
 * person's.
 */
import { type Kysely, Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openPostgres } from '../store/postgres.js';
import type { Database } from '../store/schema.js';
import { openSqlite } from '../store/sqlite.js';
import { createTestSchema, testDatabaseUrl } from '../test-support/stores.js';
import { allMigrations, type SqlDialectName } from './index.js';

const T0 = '2026-03-31T14:00:00.000Z';
const T1 = '2026-03-31T15:00:00.000Z';

interface Opened {
  db: Kysely<Database>;
  dialect: SqlDialectName;
  schema?: string;
  close(): Promise<void>;
}

async function openSqliteDb(): Promise<Opened> {
  const connection = openSqlite(':memory:');
  return { db: connection.db, dialect: 'sqlite', close: () => connection.db.destroy() };
}

async function openPostgresDb(): Promise<Opened> {
  const schema = await createTestSchema();
  const connection = openPostgres({ databaseUrl: schema.url });
  return {
    db: connection.db,
    dialect: 'postgres',
    schema: schema.name,
    close: async () => {
      await connection.db.destroy();
      await schema.drop();
    },
  };
}

const dialects: [string, () => Promise<Opened>][] = [['sqlite', openSqliteDb]];
if (testDatabaseUrl) dialects.push(['postgres', openPostgresDb]);

function migrator(opened: Opened): Migrator {
  const migrations = allMigrations({ dialect: opened.dialect });
  return new Migrator({
    db: opened.db,
    provider: { getMigrations: async () => migrations },
    ...(opened.schema === undefined ? {} : { migrationTableSchema: opened.schema }),
  });
}

describe.each(dialects)('migration 0006 (%s)', (_name, open) => {
  it('keeps the key sessions it finds and admits exactly one kind of actor per session', async () => {
    const opened = await open();
    const { db } = opened;
    try {
      const before = await migrator(opened).migrateTo('0005_accounts_members');
      expect(before.error).toBeUndefined();
      await db.insertInto('organizations').values({ id: 'o1', name: 'Acme', created_at: T0 }).execute();
      await db.insertInto('users').values({ id: 'u1', email: 'a@example.com', created_at: T0, last_sign_in_at: null }).execute();
      await db
        .insertInto('api_keys')
        .values({
          id: 'k1',
          organization_id: 'o1',
          created_by_user_id: 'u1',
          name: 'k',
          description: '',
          prefix: 'cko_abcd',
          hash: 'h1',
          created_at: T0,
          updated_at: T0,
          expires_at: null,
          revoked_at: null,
          last_used_at: null,
        })
        .execute();
      await sql`INSERT INTO sessions (id_hash, key_id, created_at, expires_at) VALUES ('s1', 'k1', ${T0}, ${T1})`.execute(db);

      const after = await migrator(opened).migrateToLatest();
      expect(after.error).toBeUndefined();
      expect(after.results?.map((r) => r.migrationName)).toContain('0006_user_sessions');

      const kept = await db.selectFrom('sessions').selectAll().execute();
      // PostgreSQL hands timestamptz back as Date objects here (no store adapter in between).
      const iso = (v: unknown) => new Date(v as string).toISOString();
      expect(kept.map((r) => ({ ...r, created_at: iso(r.created_at), expires_at: iso(r.expires_at) }))).toEqual([
        { id_hash: 's1', key_id: 'k1', user_id: null, organization_id: null, created_at: T0, expires_at: T1 },
      ]);
      const row = (values: Partial<Database['sessions']>) =>
        db
          .insertInto('sessions')
          .values({
            id_hash: `s-${Math.random()}`,
            key_id: null,
            user_id: null,
            organization_id: null,
            created_at: T0,
            expires_at: T1,
            ...values,
          })
          .execute();
      await row({ user_id: 'u1', organization_id: 'o1' });
      await row({ user_id: 'u1' });
      await expect(row({})).rejects.toThrow();
      await expect(row({ key_id: 'k1', user_id: 'u1' })).rejects.toThrow();
      await expect(row({ key_id: 'k1', organization_id: 'o1' })).rejects.toThrow();
      await expect(row({ user_id: 'nobody' })).rejects.toThrow();
      // Deleting the user deletes their sessions.
      await db.deleteFrom('memberships').execute();
      await db.deleteFrom('sessions').where('key_id', 'is not', null).execute();
      await db.deleteFrom('api_key_scopes').execute();
      await db.deleteFrom('api_keys').execute();
      await db.deleteFrom('users').where('id', '=', 'u1').execute();
      expect(await db.selectFrom('sessions').selectAll().execute()).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});
