/** The SQL dialects the store runs on. Migrations may branch on it; nothing above the store may. */
export type SqlDialectName = 'sqlite' | 'postgres';

export interface MigrationContext {
  dialect: SqlDialectName;
}
