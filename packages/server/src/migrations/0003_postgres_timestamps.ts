/**
 * 0003: on PostgreSQL, timestamps become `timestamptz` (SQLite: nothing to do).
 *
 * 0001 and 0002 created them as text, which compares as ISO strings only as long as the database's
 * collation sorts digits and punctuation bytewise; `timestamptz` compares as time whatever the
 * collation, refuses a malformed timestamp, and the PostgreSQL adapter hands the values back
 * as the same ISO strings with milliseconds (`2026-03-31T14:00:00.000Z`). New migrations write
 * timestamp columns with `timestampType(ctx)`.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { MigrationContext } from './dialect.js';

const TIMESTAMP_COLUMNS: Record<string, string[]> = {
  organizations: ['created_at'],
  users: ['created_at'],
  api_keys: ['created_at', 'updated_at', 'expires_at', 'revoked_at', 'last_used_at'],
  audit_log: ['at'],
  sessions: ['created_at', 'expires_at'],
};

export function migration0003(ctx: MigrationContext): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are written against the untyped schema of their time
    async up(db: Kysely<any>): Promise<void> {
      if (ctx.dialect !== 'postgres') return;
      for (const [table, columns] of Object.entries(TIMESTAMP_COLUMNS)) {
        const changes = columns.map((c) => sql`ALTER COLUMN ${sql.ref(c)} TYPE timestamptz USING ${sql.ref(c)}::timestamptz`);
        await sql`ALTER TABLE ${sql.table(table)} ${sql.join(changes)}`.execute(db);
      }
    },

    // biome-ignore lint/suspicious/noExplicitAny: see up()
    async down(db: Kysely<any>): Promise<void> {
      if (ctx.dialect !== 'postgres') return;
      for (const [table, columns] of Object.entries(TIMESTAMP_COLUMNS)) {
        const changes = columns.map(
          (c) =>
            sql`ALTER COLUMN ${sql.ref(c)} TYPE text USING to_char(${sql.ref(c)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
        );
        await sql`ALTER TABLE ${sql.table(table)} ${sql.join(changes)}`.execute(db);
      }
    },
  };
}
