/**
 * 0005: people who sign in as themselves, and members an organization manages.
 *
 * - `login_codes`: the e-mailed one-time code of an address (one at a time: a new request
 *   replaces the row), stored only as a hash, with its expiry and the wrong tries spent on it.
 * - `users.last_sign_in_at`: set by every sign-in and sign-up by code.
 * - `organizations.description` and `organizations.size`: what `/createorganizationviaapikey` and
 *   sign-up take besides the name (the public protocol's fields; stored, not dropped).
 * - `memberships.joined_at`: when the person joined the organization (rows that predate this
 *   migration take the user's own creation time).
 * - `audit_log`: `organization_id` may be null (a wrong code for an address that belongs to no
 *   organization), and `target_user_id` names the person a member change or sign-in is about.
 *   On SQLite a column cannot drop NOT NULL in place, so the table is rebuilt with its rows,
 *   indexes and append-only triggers; PostgreSQL alters it in place (its triggers stay).
 */
import { type Kysely, type Migration, sql } from 'kysely';
import { type MigrationContext, timestampType } from './dialect.js';

export function migration0005(ctx: MigrationContext): Migration {
  const ts = timestampType(ctx);
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are written against the untyped schema of their time
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('login_codes')
        .addColumn('email', 'text', (c) => c.primaryKey())
        .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('signup', 'login')`))
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('expires_at', ts, (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();

      await db.schema.alterTable('users').addColumn('last_sign_in_at', ts).execute();
      await db.schema
        .alterTable('organizations')
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema.alterTable('organizations').addColumn('size', 'text').execute();
      await db.schema.alterTable('memberships').addColumn('joined_at', ts).execute();
      await sql`UPDATE memberships SET joined_at = (SELECT u.created_at FROM users u WHERE u.id = memberships.user_id)`.execute(
        db,
      );

      if (ctx.dialect === 'postgres') {
        await sql`ALTER TABLE audit_log ALTER COLUMN organization_id DROP NOT NULL, ADD COLUMN target_user_id text`.execute(db);
      } else {
        const columns = sql.raw(
          'id, at, request_id, action, result, reason, actor_key_id, actor_user_id, organization_id, target_key_id, before_json, after_json, source_ip, user_agent',
        );
        for (const trigger of ['audit_log_no_update', 'audit_log_no_delete', 'audit_log_no_replace']) {
          await sql`DROP TRIGGER IF EXISTS ${sql.raw(trigger)}`.execute(db);
        }
        await db.schema
          .createTable('audit_log_next')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('request_id', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('result', 'text', (c) => c.notNull().check(sql`result in ('allowed', 'denied', 'dry_run')`))
          .addColumn('reason', 'text')
          .addColumn('actor_key_id', 'text')
          .addColumn('actor_user_id', 'text')
          .addColumn('organization_id', 'text')
          .addColumn('target_key_id', 'text')
          .addColumn('before_json', 'text')
          .addColumn('after_json', 'text')
          .addColumn('source_ip', 'text')
          .addColumn('user_agent', 'text')
          .addColumn('target_user_id', 'text')
          .execute();
        await sql`INSERT INTO audit_log_next (${columns}) SELECT ${columns} FROM audit_log`.execute(db);
        await sql`DROP TABLE audit_log`.execute(db);
        await sql`ALTER TABLE audit_log_next RENAME TO audit_log`.execute(db);
        await db.schema.createIndex('audit_log_organization_at_idx').on('audit_log').columns(['organization_id', 'at']).execute();
        await db.schema.createIndex('audit_log_target_idx').on('audit_log').column('target_key_id').execute();
        await sql`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
          BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
        await sql`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
          BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
        await sql`CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
          WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
          BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
      }
      await db.schema.createIndex('audit_log_target_user_idx').on('audit_log').column('target_user_id').execute();
    },

    // biome-ignore lint/suspicious/noExplicitAny: see up()
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('audit_log_target_user_idx').ifExists().execute();
      await db.schema.dropTable('login_codes').ifExists().execute();
      await db.schema.alterTable('users').dropColumn('last_sign_in_at').execute();
      await db.schema.alterTable('organizations').dropColumn('size').execute();
      await db.schema.alterTable('organizations').dropColumn('description').execute();
      await db.schema.alterTable('memberships').dropColumn('joined_at').execute();
      // audit_log keeps target_user_id and its nullable organization_id: rows written since may need both.
    },
  };
}
