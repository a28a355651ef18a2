/**
 * 0007: the key lifecycle (issue 12).
 *
 * - `api_keys.previous_hash` / `previous_hash_expires_at`: a rotation's old secret (its SHA-256),
 *   accepted until that time. One column pair per key, so a key has at most two live secrets
 *   by construction; a second rotation overwrites the older one. Unique like `hash`, and
 *   indexed for the authentication lookup.
 * - `api_keys.disabled_at`: null = enabled; a disabled key authenticates nowhere.
 * - `api_keys.allowed_ips`: null = usable from anywhere; else a JSON array of canonical CIDR
 *   strings (the server refuses every request of a key whose stored list it cannot parse).
 * - `organizations.max_key_lifetime_days`: null = no maximum.
 *
 * Only nullable columns are added, so both dialects add them in place.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import { type MigrationContext, timestampType } from './dialect.js';

export function migration0007(ctx: MigrationContext): Migration {
  const ts = timestampType(ctx);
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are written against the untyped schema of their time
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('api_keys').addColumn('previous_hash', 'text').execute();
      await db.schema.alterTable('api_keys').addColumn('previous_hash_expires_at', ts).execute();
      await db.schema.alterTable('api_keys').addColumn('disabled_at', ts).execute();
      await db.schema.alterTable('api_keys').addColumn('allowed_ips', 'text').execute();
      await db.schema.alterTable('organizations').addColumn('max_key_lifetime_days', 'integer').execute();
      await db.schema.createIndex('api_keys_previous_hash_idx').unique().on('api_keys').column('previous_hash').execute();
    },

    // biome-ignore lint/suspicious/noExplicitAny: see up()
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('api_keys_previous_hash_idx').ifExists().execute();
      for (const column of ['previous_hash', 'previous_hash_expires_at', 'disabled_at', 'allowed_ips']) {
        await sql`ALTER TABLE api_keys DROP COLUMN ${sql.ref(column)}`.execute(db);
      }
      await sql`ALTER TABLE organizations DROP COLUMN max_key_lifetime_days`.execute(db);
    },
  };
}
