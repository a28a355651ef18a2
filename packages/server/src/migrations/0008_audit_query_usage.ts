/**
 * 0008: querying the audit log, its retention, and where a key was last used from.
 *
 * - Indexes for `/listauditeventspublic`: pages run newest first by event id inside one
 *   organization, optionally filtered by target key, actor key, actor user, action or outcome.
 *   Each filter has an index that starts with (organization_id, <filter>) and ends with id, so a
 *   filtered page is a range scan that stops after `limit` rows, whatever the log's size.
 * - `audit_purge`: the retention gate. The log stays append-only (UPDATE and TRUNCATE are
 *   refused as before), but a DELETE of a row is let through when the row is older than a
 *   cutoff written in `audit_purge` — which only the operator's retention job does, inside the
 *   transaction that deletes, and removes again before it commits. With the table empty (always,
 *   outside that transaction) every DELETE is refused like before.
 * - `api_keys.last_used_ip`: the client address of the key's last recorded use (written by the
 *   same once-a-minute write as last_used_at).
 */
import { type Kysely, type Migration, sql } from 'kysely';
import { type MigrationContext, timestampType } from './dialect.js';

const AUDIT_QUERY_INDEXES: [name: string, columns: string[]][] = [
  ['audit_log_org_id_idx', ['organization_id', 'id']],
  ['audit_log_org_target_id_idx', ['organization_id', 'target_key_id', 'id']],
  ['audit_log_org_actor_key_id_idx', ['organization_id', 'actor_key_id', 'id']],
  ['audit_log_org_actor_user_id_idx', ['organization_id', 'actor_user_id', 'id']],
  ['audit_log_org_action_id_idx', ['organization_id', 'action', 'id']],
  ['audit_log_org_result_id_idx', ['organization_id', 'result', 'id']],
];

export function migration0008(ctx: MigrationContext): Migration {
  const ts = timestampType(ctx);
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are written against the untyped schema of their time
    async up(db: Kysely<any>): Promise<void> {
      for (const [name, columns] of AUDIT_QUERY_INDEXES) {
        await db.schema.createIndex(name).on('audit_log').columns(columns).execute();
      }
      await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();

      await db.schema.alterTable('api_keys').addColumn('last_used_ip', 'text').execute();

      await db.schema
        .createTable('audit_purge')
        .addColumn('before', ts, (c) => c.notNull())
        .execute();
      if (ctx.dialect === 'sqlite') {
        await sql`DROP TRIGGER IF EXISTS audit_log_no_delete`.execute(db);
        await sql`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
          WHEN NOT EXISTS (SELECT 1 FROM audit_purge p WHERE OLD.at < p.before)
          BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
      } else {
        await sql`CREATE FUNCTION audit_log_delete_guard() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF EXISTS (SELECT 1 FROM audit_purge p WHERE OLD.at < p.before) THEN RETURN OLD; END IF;
            RAISE EXCEPTION 'audit_log is append-only';
          END $$`.execute(db);
        await sql`DROP TRIGGER audit_log_no_update ON audit_log`.execute(db);
        await sql`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
          FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`.execute(db);
        await sql`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
          FOR EACH ROW EXECUTE FUNCTION audit_log_delete_guard()`.execute(db);
      }
    },

    // biome-ignore lint/suspicious/noExplicitAny: see up()
    async down(db: Kysely<any>): Promise<void> {
      if (ctx.dialect === 'sqlite') {
        await sql`DROP TRIGGER IF EXISTS audit_log_no_delete`.execute(db);
        await sql`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
          BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
      } else {
        await sql`DROP TRIGGER IF EXISTS audit_log_no_delete ON audit_log`.execute(db);
        await sql`DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log`.execute(db);
        await sql`CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
          FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`.execute(db);
        await sql`DROP FUNCTION IF EXISTS audit_log_delete_guard()`.execute(db);
      }
      await db.schema.dropTable('audit_purge').ifExists().execute();
      await db.schema.alterTable('api_keys').dropColumn('last_used_ip').execute();
      await db.schema.dropIndex('audit_log_at_idx').ifExists().execute();
      for (const [name] of AUDIT_QUERY_INDEXES) await db.schema.dropIndex(name).ifExists().execute();
    },
  };
}
