/**
 * 0002: dashboard sessions. A row per signed-in browser: the SHA-256 of the opaque session
 * id (the id itself is only in the browser's cookie), the key the session acts as, and when
 * it was opened and expires. Deleting a key row deletes its sessions.
 */
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from './dialect.js';

export function migration0002(_ctx: MigrationContext): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are written against the untyped schema of their time
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('key_id', 'text', (c) => c.notNull().references('api_keys.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_key_idx').on('sessions').column('key_id').execute();
      await db.schema.createIndex('sessions_expires_idx').on('sessions').column('expires_at').execute();
    },

    // biome-ignore lint/suspicious/noExplicitAny: see up()
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('sessions').ifExists().execute();
    },
  };
}
