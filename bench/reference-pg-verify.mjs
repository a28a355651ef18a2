/**
 * The PostgreSQL reference of issue 14: the simplest fast `/verifyapikey` one would write by
 * hand — Fastify + `pg`, a pool of 10, one query (key, organization, the creating user's role
 * and the scopes aggregated into one row) as a named prepared statement, and one JSON log line
 * per request (pino, asynchronous stdout, like codika-server), so it pays what we pay. It
 * answers codika's envelope (`{ success, data, requestId }`) and judges revoked, expired and
 * role-less keys like codika does; it has no throttle, no sessions, no schema validation.
 *
 *   node bench/reference-pg-verify.mjs <database url with search_path of a migrated codika store> [pool size]
 *
 * Prints `reference listening on http://HOST:PORT` once ready.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(fileURLToPath(new URL('../packages/server/package.json', import.meta.url)));
const Fastify = require('fastify');
const pg = require('pg');
const pino = require('pino');

const [databaseUrl, poolArg] = process.argv.slice(2);
if (!databaseUrl) {
  process.stderr.write('usage: node bench/reference-pg-verify.mjs <database url> [pool size]\n');
  process.exit(2);
}
const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(poolArg ?? 10) });
pool.on('error', () => {});

const VERIFY = {
  name: 'reference_verify',
  text: `select k.id, k.name, k.prefix, k.created_at, k.expires_at, k.revoked_at, k.last_used_at,
      o.id as organization_id, o.name as organization_name, m.role,
      array(select s.scope from api_key_scopes s where s.key_id = k.id order by s.scope) as scopes
    from api_keys k
    join organizations o on o.id = k.organization_id
    left join memberships m on m.organization_id = k.organization_id and m.user_id = k.created_by_user_id
    where k.hash = $1`,
};

const iso = (v) => (v === null ? null : v instanceof Date ? v.toISOString() : v);
const unauthenticated = (reply, requestId) =>
  reply.code(401).send({ success: false, error: { code: 'UNAUTHENTICATED', message: 'Authentication required' }, requestId });

const app = Fastify({
  logger: { level: 'info', stream: pino.destination({ dest: 1, sync: false }) },
  disableRequestLogging: true,
  genReqId: () => randomUUID(),
});
app.addHook('onResponse', (request, reply, done) => {
  request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  done();
});
app.post('/verifyapikey', async (request, reply) => {
  const raw = request.headers['x-process-manager-key'];
  if (typeof raw !== 'string' || !raw.startsWith('cko_')) return unauthenticated(reply, request.id);
  const hash = createHash('sha256').update(raw, 'utf8').digest('hex');
  const { rows } = await pool.query({ ...VERIFY, values: [hash] });
  const row = rows[0];
  const expiresAt = row ? iso(row.expires_at) : null;
  if (!row || row.revoked_at !== null || row.role === null || (expiresAt !== null && Date.parse(expiresAt) <= Date.now())) {
    return unauthenticated(reply, request.id);
  }
  const data = {
    type: 'org-api-key',
    keyId: row.id,
    keyName: row.name,
    keyPrefix: row.prefix,
    scopes: row.scopes,
    organizationId: row.organization_id,
    organizationName: row.organization_name,
    createdAt: iso(row.created_at),
  };
  if (expiresAt !== null) data.expiresAt = expiresAt;
  if (row.last_used_at !== null) data.lastUsedAt = iso(row.last_used_at);
  return { success: true, data, requestId: request.id };
});

const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`reference listening on ${address}\n`);
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0));
});
