/** The SQL dialects the store runs on. Migrations may branch on it; nothing above the store may. */
export type SqlDialectName = 'sqlite' | 'postgres';

export interface MigrationContext {
  dialect: SqlDialectName;
}

/**
 * The column type of a timestamp (the store reads and writes ISO 8601 UTC strings with
 * milliseconds): text on SQLite, timestamptz on PostgreSQL (see 0003).
 */
export function timestampType(ctx: MigrationContext): 'text' | 'timestamptz' {
  return ctx.dialect === 'postgres' ? 'timestamptz' : 'text';
}
