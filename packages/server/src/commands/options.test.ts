import { describe, expect, it } from 'vitest';
import { resolveDatabase } from './options.js';

const URL = 'postgres://postgres@127.0.0.1:5432/test';

describe('database options (--db, --database-url, CODIKA_DB, DATABASE_URL)', () => {
  it('--database-url selects PostgreSQL, --db a SQLite file; a flag beats the environment', () => {
    expect(resolveDatabase({ databaseUrl: URL }, { CODIKA_DB: 'env.db' })).toEqual({ databaseUrl: URL });
    expect(resolveDatabase({ databaseUrl: 'postgresql://u:p@db/x?sslmode=require' }, {})).toEqual({
      databaseUrl: 'postgresql://u:p@db/x?sslmode=require',
    });
    expect(resolveDatabase({ db: 'x.db' }, { DATABASE_URL: URL })).toEqual({ sqliteFile: 'x.db' });
  });

  it('without a flag: DATABASE_URL, else CODIKA_DB, else ./.codika/codika.db', () => {
    expect(resolveDatabase({}, { DATABASE_URL: URL })).toEqual({ databaseUrl: URL });
    expect(resolveDatabase({}, { DATABASE_URL: ' ', CODIKA_DB: 'env.db' })).toEqual({ sqliteFile: 'env.db' });
    expect(resolveDatabase({}, {})).toEqual({ sqliteFile: './.codika/codika.db' });
  });

  it('refuses both flags, both variables, a URL that is not PostgreSQL, and empty values', () => {
    expect(() => resolveDatabase({ db: 'x.db', databaseUrl: URL }, {})).toThrow(/not both/);
    expect(() => resolveDatabase({}, { DATABASE_URL: URL, CODIKA_DB: 'x.db' })).toThrow(/both DATABASE_URL and CODIKA_DB/);
    expect(() => resolveDatabase({ databaseUrl: 'mysql://h/db' }, {})).toThrow(/--database-url must be a postgres/);
    expect(() => resolveDatabase({}, { DATABASE_URL: 'sqlite.db' })).toThrow(/DATABASE_URL must be a postgres/);
    expect(() => resolveDatabase({ db: ' ' }, {})).toThrow(/--db must not be empty/);
  });
});
