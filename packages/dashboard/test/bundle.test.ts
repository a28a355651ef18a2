/**
 * Checks on the built dashboard (`npm test` builds first): what the server ships must run
 * under `script-src 'self'; style-src 'self'`, load nothing from another host, use hashed
 * asset names, and stay small.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const dist = new URL('../dist/', import.meta.url).pathname;
const built = existsSync(join(dist, 'index.html'));
if (!built) console.log('dashboard bundle tests skipped: packages/dashboard/dist is not built (run npm run build)');

/** Shipped JavaScript budget, gzip. The README states the actual size. */
const JS_GZIP_BUDGET = 24 * 1024;

describe.skipIf(!built)('dashboard bundle', () => {
  const html = built ? readFileSync(join(dist, 'index.html'), 'utf8') : '';
  const assets = built ? readdirSync(join(dist, 'assets')) : [];

  it('has no inline script, no inline style and no event-handler attributes', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc="\/assets\/[^"]+\.js"/);
      expect(body?.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/\son[a-z]+=/);
  });

  it('loads nothing from another host', () => {
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const name of assets) {
      const text = readFileSync(join(dist, 'assets', name), 'utf8');
      const urls = [...text.matchAll(/https?:\/\/[^\s"'`)]+/g)].map((m) => m[0]);
      // XML namespace names in the renderer are identifiers, not requests.
      expect(urls.filter((u) => !u.startsWith('http://www.w3.org/'))).toEqual([]);
    }
  });

  it('names every asset with a content hash', () => {
    expect(assets.length).toBeGreaterThan(0);
    for (const name of assets) expect(name).toMatch(/^[\w-]+-[\w-]{8}\.(js|css)$/);
  });

  it('ships little JavaScript', () => {
    const js = assets.filter((n) => n.endsWith('.js'));
    const gzip = js.reduce((n, name) => n + gzipSync(readFileSync(join(dist, 'assets', name))).length, 0);
    expect(gzip).toBeLessThan(JS_GZIP_BUDGET);
  });
});
