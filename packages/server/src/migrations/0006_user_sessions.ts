/**
 * 0006: dashboard sessions of people signed in by e-mailed code.
 *
 * A session acts either as the key it was opened with (`key_id`, as since 0002) or as a person
 * (`user_id`) in one of their organizations (`organization_id`; null until the person has
 * chosen one, when they belong to several). A CHECK keeps the two kinds apart. Deleting the
 * key, the user or the organization deletes its sessions.
 *
 * On SQLite a column cannot drop NOT NULL in place, so the small sessions table is rebuilt with
 * its rows and indexes; PostgreSQL alters it in place.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import { type MigrationContext, timestampType } from './dialect.js';

const ONE_ACTOR = sql`(key_id IS NOT NULL AND user_id IS NULL AND organization_id IS NULL) OR (key_id IS NULL AND user_id IS NOT NULL)`;

export function migration0006(ctx: MigrationContext): Migration {
  const ts = timestampType(ctx);
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are written against the untyped schema of their time
    async up(db: Kysely<any>): Promise<void> {
      if (ctx.dialect === 'postgres') {
        await sql`ALTER TABLE sessions
          ALTER COLUMN key_id DROP NOT NULL,
          ADD COLUMN user_id text REFERENCES users(id) ON DELETE CASCADE,
          ADD COLUMN organization_id text REFERENCES organizations(id) ON DELETE CASCADE,
          ADD CONSTRAINT sessions_one_actor CHECK (${ONE_ACTOR})`.execute(db);
      } else {
        await db.schema
          .createTable('sessions_next')
          .addColumn('id_hash', 'text', (c) => c.primaryKey())
          .addColumn('key_id', 'text', (c) => c.references('api_keys.id').onDelete('cascade'))
          .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
          .addColumn('organization_id', 'text', (c) => c.references('organizations.id').onDelete('cascade'))
          .addColumn('created_at', ts, (c) => c.notNull())
          .addColumn('expires_at', ts, (c) => c.notNull())
          .addCheckConstraint('sessions_one_actor', ONE_ACTOR)
          .execute();
        await sql`INSERT INTO sessions_next (id_hash, key_id, created_at, expires_at)
          SELECT id_hash, key_id, created_at, expires_at FROM sessions`.execute(db);
        await sql`DROP TABLE sessions`.execute(db);
        await sql`ALTER TABLE sessions_next RENAME TO sessions`.execute(db);
        await db.schema.createIndex('sessions_key_idx').on('sessions').column('key_id').execute();
        await db.schema.createIndex('sessions_expires_idx').on('sessions').column('expires_at').execute();
      }
      await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();
    },

    // biome-ignore lint/suspicious/noExplicitAny: see up()
    async down(db: Kysely<any>): Promise<void> {
      // People's sessions cannot be expressed in the older table: they end.
      await db.deleteFrom('sessions').where('key_id', 'is', null).execute();
      await db.schema.dropIndex('sessions_user_idx').ifExists().execute();
      if (ctx.dialect === 'postgres') {
        await sql`ALTER TABLE sessions DROP CONSTRAINT sessions_one_actor, DROP COLUMN user_id, DROP COLUMN organization_id,
          ALTER COLUMN key_id SET NOT NULL`.execute(db);
      }
      // SQLite keeps the rebuilt table: its extra columns are empty and unused by older code.
    },
  };
}
