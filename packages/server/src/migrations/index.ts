/**
 * The one migrator. Migrations are listed here statically (no filesystem scanning), so the
 * same list runs from src/ under Vitest and from dist/ in production. Add a migration by
 * writing `000N_name.ts` and appending it below; never edit one that has shipped.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { migration0001 } from './0001_initial.js';
import { migration0002 } from './0002_sessions.js';
import { migration0003 } from './0003_postgres_timestamps.js';
import { migration0004 } from './0004_audit_log_no_replace.js';
import { migration0005 } from './0005_accounts_members.js';
import { migration0006 } from './0006_user_sessions.js';
import { migration0007 } from './0007_key_lifecycle.js';
import { migration0008 } from './0008_audit_query_usage.js';
import { migration0009 } from './0009_auth_change_notify.js';
import type { MigrationContext } from './dialect.js';

export type { MigrationContext, SqlDialectName } from './dialect.js';
export { timestampType } from './dialect.js';

export function allMigrations(ctx: MigrationContext): Record<string, Migration> {
  return {
    '0001_initial': migration0001(ctx),
    '0002_sessions': migration0002(ctx),
    '0003_postgres_timestamps': migration0003(ctx),
    '0004_audit_log_no_replace': migration0004(ctx),
    '0005_accounts_members': migration0005(ctx),
    '0006_user_sessions': migration0006(ctx),
    '0007_key_lifecycle': migration0007(ctx),
    '0008_audit_query_usage': migration0008(ctx),
    '0009_auth_change_notify': migration0009(ctx),
  };
}

class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

// biome-ignore lint/suspicious/noExplicitAny: the migrator works below the typed schema
async function currentSchema(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) throw new MigrationError('database migration impossible: no current schema (check the search_path)');
  return schema;
}

/** Apply every pending migration; a no-op when the schema is current. */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works below the typed schema
export async function migrateToLatest(db: Kysely<any>, ctx: MigrationContext): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new StaticMigrationProvider(allMigrations(ctx)),
    // On PostgreSQL the migrator's own tables live in the store's schema (the connection's
    // current schema): unqualified, Kysely would take another schema's kysely_migration table,
    // seen through introspection, for this one's.
    ...(ctx.dialect === 'postgres' ? { migrationTableSchema: await currentSchema(db) } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new MigrationError(
      `database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
