/**
 * GET / and /dashboard: the dashboard page; GET /assets/<file>: its hashed assets. The
 * built files (packages/dashboard/dist) are read once at start-up into memory, so a request
 * can only ever name one of them (no path is joined from user input). Every answer carries
 * the page's security headers: a CSP with no inline script and no framing, no referrer,
 * no MIME sniffing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { NOT_THROTTLED } from '../http/auth-throttle.js';
import { ApiError } from '../http/errors.js';

export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export const PAGE_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': DASHBOARD_CSP,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

interface Asset {
  body: Buffer;
  type: string;
}

function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const assetDir = join(dir, 'assets');
  if (!existsSync(assetDir)) return assets;
  for (const name of readdirSync(assetDir)) {
    const type = TYPES[extname(name)];
    if (type !== undefined) assets.set(name, { body: readFileSync(join(assetDir, name)), type });
  }
  return assets;
}

function withPageHeaders(reply: FastifyReply): FastifyReply {
  return reply.headers(PAGE_SECURITY_HEADERS);
}

/** `dir` null: the dashboard is switched off (the routes answer 404 like any unknown path). */
export function registerDashboardStatic(app: FastifyInstance, dir: string | null): void {
  if (dir === null) return;
  const indexFile = join(dir, 'index.html');
  const index = existsSync(indexFile) ? readFileSync(indexFile) : null;
  const assets = loadAssets(dir);

  const page = async (_request: unknown, reply: FastifyReply) => {
    withPageHeaders(reply).header('cache-control', 'no-cache');
    if (index === null) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The dashboard is not built. Run `npm run build` (npm ci does it) and restart codika-server.\n');
    }
    return reply.type('text/html; charset=utf-8').send(index);
  };
  app.get('/', { config: NOT_THROTTLED }, page);
  app.get('/dashboard', { config: NOT_THROTTLED }, page);
  app.get('/dashboard/', { config: NOT_THROTTLED }, page);

  app.get<{ Params: { name: string } }>('/assets/:name', { config: NOT_THROTTLED }, async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (asset === undefined) throw new ApiError('NOT_FOUND');
    // Names carry a content hash: a changed file has a new name, so caching forever is safe.
    return withPageHeaders(reply)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .type(asset.type)
      .send(asset.body);
  });
}
