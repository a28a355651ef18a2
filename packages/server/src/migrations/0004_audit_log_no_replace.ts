/**
 * 0004: close a gap in the append-only audit log on SQLite. `INSERT OR REPLACE` (or
 * `REPLACE INTO`) with the id of an existing row deletes that row and inserts another without
 * firing DELETE triggers (unless a connection turns recursive_triggers on), so the triggers of
 * 0001 let a row be rewritten. A BEFORE INSERT trigger now refuses any insert whose id is
 * already taken, before the conflict is resolved. (Upserts fire the UPDATE trigger already.)
 *
 * PostgreSQL has no REPLACE, and `ON CONFLICT DO UPDATE` fires the row UPDATE trigger of 0001:
 * nothing to do there.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { MigrationContext } from './dialect.js';

export function migration0004(ctx: MigrationContext): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are written against the untyped schema of their time
    async up(db: Kysely<any>): Promise<void> {
      if (ctx.dialect !== 'sqlite') return;
      await sql`CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
        WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
    },
    // biome-ignore lint/suspicious/noExplicitAny: see up()
    async down(db: Kysely<any>): Promise<void> {
      if (ctx.dialect !== 'sqlite') return;
      await sql`DROP TRIGGER IF EXISTS audit_log_no_replace`.execute(db);
    },
  };
}
