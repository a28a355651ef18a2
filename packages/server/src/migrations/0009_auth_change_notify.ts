/**
 * 0009: every write to a table the authentication lookup reads announces itself (PostgreSQL
 * only). A statement-level trigger on each of those tables (AUTH_TABLES in
 * store/key-rows.ts) calls `pg_notify('codika_auth', <the table's schema>)`; PostgreSQL
 * delivers the notification to every listening connection once the writing transaction has
 * committed (never for a rolled-back one), and folds repeats within one transaction into one.
 * Each server instance listens and drops its cached authentication records when one arrives
 * (store/auth-fence.ts), so a record it serves is never older than the last committed change —
 * whoever wrote it: another instance, the operator CLI, or SQL typed by hand.
 *
 * Every INSERT, UPDATE, DELETE and TRUNCATE fires, whatever its columns: a column added later
 * (by any migration) is covered without touching this one. A table added to the lookup needs
 * the same trigger in its own migration (a test checks AUTH_TABLES against the triggers).
 *
 * SQLite needs none of this: its auth cache is checked against `PRAGMA data_version`.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { MigrationContext } from './dialect.js';

/** The tables the authentication lookup read when this migration was written. */
const TABLES = ['api_keys', 'api_key_scopes', 'organizations', 'users', 'memberships'] as const;

export function migration0009(ctx: MigrationContext): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are written against the untyped schema of their time
    async up(db: Kysely<any>): Promise<void> {
      if (ctx.dialect !== 'postgres') return;
      await sql`CREATE FUNCTION codika_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('codika_auth', TG_TABLE_SCHEMA);
          RETURN NULL;
        END $$`.execute(db);
      for (const table of TABLES) {
        await sql`CREATE TRIGGER ${sql.id(`${table}_auth_changed`)}
          AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${sql.table(table)}
          FOR EACH STATEMENT EXECUTE FUNCTION codika_auth_changed()`.execute(db);
      }
    },
    // biome-ignore lint/suspicious/noExplicitAny: see up()
    async down(db: Kysely<any>): Promise<void> {
      if (ctx.dialect !== 'postgres') return;
      for (const table of TABLES) {
        await sql`DROP TRIGGER IF EXISTS ${sql.id(`${table}_auth_changed`)} ON ${sql.table(table)}`.execute(db);
      }
      await sql`DROP FUNCTION IF EXISTS codika_auth_changed()`.execute(db);
    },
  };
}
