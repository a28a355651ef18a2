/**
 * Figure 14, every answer in the envelope, and secrets in paths. Against a real
 * `codika-server start` process:
 * - a list of malformed HTTP requests, each sent on a raw socket (headers too large, obs-fold,
 *   NUL and other bytes not allowed in headers, Content-Length with Transfer-Encoding, two
 *   Content-Lengths, bad chunks, a missing Host, request lines that are not HTTP/1.x, CONNECT,
 *   an unknown Expect, a bad percent-escape, unknown paths and methods): every answer must be
 *   the failure envelope with a request id equal to X-Request-Id;
 * - unknown body fields named like Object.prototype's properties must be refused and named;
 * - keys sent in the URL path, percent-encoded every way (one escape, every character escaped,
 *   escaped twice, cut by a bad escape, without their prefix): no raw key in any log line;
 * - the answer carrying a raw key (create) must say Cache-Control: no-store;
 * - names with bidi controls, invisible characters or lone surrogates are refused; a decomposed
 *   name is stored composed (NFC).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATIONS } from '@codika/contract';
import { describe, it } from 'vitest';
import { figure, note } from './support/figures.js';
import { exchangeRaw, isEnvelopedError, parseAnswer } from './support/raw-http.js';
import { httpPost, startServer, stopServer } from './support/server-process.js';
import { scratchDir } from './support/world.js';

const VERIFY = OPERATIONS.verifyApiKey.path;
const CREATE = OPERATIONS.createKey.path;

function malformedRequests(key: string): [string, string][] {
  const post = (headers: string, body = '{}') => `POST ${VERIFY} HTTP/1.1\r\nHost: a\r\n${headers}\r\n${body}`;
  return [
    ['headers over 16 KiB', `GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
    ['many headers over 16 KiB', `GET /healthz HTTP/1.1\r\nHost: a\r\n${'X-H: aaaaaaaaaaaaaaaaaaaa\r\n'.repeat(900)}\r\n`],
    ['a URL over 16 KiB', `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: a\r\n\r\n`],
    ['obs-fold', 'GET /healthz HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n'],
    ['obs-fold with a tab', 'GET /healthz HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n'],
    ['NUL in a header value', 'GET /healthz HTTP/1.1\r\nHost: a\r\nX-A: b\u0000c\r\n\r\n'],
    ['NUL in the key header', `GET /healthz HTTP/1.1\r\nHost: a\r\nX-Process-Manager-Key: ${key}\u0000\r\n\r\n`],
    ['CR inside a header value', 'GET /healthz HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n'],
    ['a space before the colon', 'GET /healthz HTTP/1.1\r\nHost : a\r\n\r\n'],
    ['a header name with a slash', 'GET /healthz HTTP/1.1\r\nHost: a\r\nX/A: b\r\n\r\n'],
    ['Content-Length with Transfer-Encoding', post('Content-Length: 4\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n')],
    ['Transfer-Encoding with Content-Length', post('Transfer-Encoding: chunked\r\nContent-Length: 4\r\n', '0\r\n\r\n')],
    ['two different Content-Lengths', post('Content-Length: 2\r\nContent-Length: 3\r\n')],
    ['a negative Content-Length', post('Content-Length: -1\r\n')],
    ['a Content-Length that is not a number', post('Content-Length: 2x\r\n')],
    ['Transfer-Encoding gzip alone', post('Transfer-Encoding: gzip\r\n')],
    ['a chunk size that is not hex', post('Transfer-Encoding: chunked\r\n', 'zz\r\n{}\r\n0\r\n\r\n')],
    ['an LF-only request', 'GET /healthz HTTP/1.1\nHost: a\n\n'],
    ['no Host', 'GET /healthz HTTP/1.1\r\n\r\n'],
    ['no Host on an operation', `POST ${VERIFY} HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}`],
    ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    ['HTTP/3.0 request line', 'GET /healthz HTTP/3.0\r\nHost: a\r\n\r\n'],
    ['not HTTP at all', 'HELLO\r\n\r\n'],
    ['a bad method token', 'G@T /healthz HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['CONNECT', 'CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n'],
    ['an unknown Expect', post('Expect: teapot\r\nContent-Type: application/json\r\nContent-Length: 2\r\n')],
    ['a bad percent-escape in the path', 'GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['an unknown path', 'GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['DELETE on an operation', `DELETE ${VERIFY} HTTP/1.1\r\nHost: a\r\n\r\n`],
    ['OPTIONS *', 'OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['a body over the limit', post(`Content-Type: application/json\r\nContent-Length: ${20_000}\r\n`, 'x'.repeat(20_000))],
    ['a body that is not JSON', post('Content-Type: application/json\r\nContent-Length: 5\r\n', '{oops')],
  ];
}

describe('figure 14: every answer in the envelope; secrets in paths', () => {
  it('malformed HTTP gets the envelope; encoded keys in paths stay out of the log; display text is checked', async () => {
    const dir = scratchDir('codika-malformed-');
    const server = await startServer(['--db', join(dir, 'codika.db'), '--first-run-bootstrap', '--auth-failure-budget', 'off']);
    const port = Number(new URL(server.url).port);
    try {
      const key = readFileSync(join(dir, 'owner-key'), 'utf8').trim();
      const who = await httpPost(server.url, VERIFY, key, {});
      const organizationId = who.body.data.organizationId as string;

      // 1. Malformed HTTP on raw sockets.
      const requests = malformedRequests(key);
      const bare: string[] = [];
      for (const [name, raw] of requests) {
        const answer = parseAnswer(await exchangeRaw(port, raw, 1_500));
        if (!isEnvelopedError(answer))
          bare.push(`${name}: ${answer ? `${answer.status} ${answer.body.slice(0, 80)}` : 'no answer'}`);
      }
      for (const b of bare) note('envelope', `not enveloped: ${b}`);
      figure(
        'envelope',
        `answers without the envelope and a matching request id (of ${requests.length} malformed requests)`,
        bare.length,
        {
          eq: 0,
        },
      );

      // 2. Unknown body fields named like Object.prototype's properties.
      let unnamed = 0;
      const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
      for (const field of names) {
        const res = await fetch(`${server.url}${VERIFY}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-process-manager-key': key },
          body: `{"${field}": 1}`,
        });
        const body = (await res.json()) as { error?: { details?: Record<string, string> } };
        if (res.status !== 400 || !Object.hasOwn(body.error?.details ?? {}, field)) unnamed++;
      }
      figure(
        'envelope',
        `unknown fields named like Object.prototype's (of ${names.length}) refused without being named`,
        unnamed,
        {
          eq: 0,
        },
      );

      // 3. Keys in the URL path, encoded every way.
      const created = await httpPost(server.url, CREATE, key, { organizationId, name: 'path probe', scopes: ['projects:read'] });
      const probeKey = created.body.data.apiKey as string;
      const escapeAll = (s: string) =>
        [...s].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).join('');
      const forms = (k: string) => [
        `/${k}`,
        `/${k.replace('_', '%5F')}`,
        `/${k.replace('_', '%5f')}`,
        `/${escapeAll(k)}`,
        `/${escapeAll(k).replaceAll('%', '%25')}`,
        `/x/${k.replace('_', '%5F')}%zz`,
        `/${k.slice(4)}`,
        `/${escapeAll(k.slice(4))}`,
        `${VERIFY}/${k.replace('_', '%5F')}`,
        `/dashboard/${escapeAll(k)}`,
      ];
      let sent = 0;
      for (const k of [key, probeKey]) {
        for (const path of forms(k)) {
          for (const method of ['GET', 'POST']) {
            const res = await fetch(`${server.url}${path}`, {
              method,
              headers: { 'content-type': 'application/json' },
              body: method === 'POST' ? '{}' : null,
            });
            await res.arrayBuffer();
            sent++;
          }
        }
      }
      await new Promise((r) => setTimeout(r, 300));
      const lines = server
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('{'));
      const secrets = [key, probeKey].flatMap((k) => [k, k.slice(4), k.slice(8)]);
      const leaking = lines.filter((l) => secrets.some((s) => l.includes(s))).length;
      note('secrets', `${sent} requests with a key in the path; ${lines.length} JSON log lines searched`);
      figure('secrets', 'log lines holding a raw key (or its secret part) after keys in percent-encoded paths', leaking, {
        eq: 0,
      });

      // 4. Answers carrying a raw key are not to be cached.
      const again = await fetch(`${server.url}${CREATE}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-process-manager-key': key },
        body: JSON.stringify({ organizationId, name: 'no-store probe', scopes: ['projects:read'] }),
      });
      const carries = ((await again.json()) as { data?: { apiKey?: string } }).data?.apiKey?.startsWith('cko_') === true;
      figure(
        'secrets',
        'answers carrying a raw key without Cache-Control: no-store',
        carries && again.headers.get('cache-control') === 'no-store' ? 0 : 1,
        {
          eq: 0,
        },
      );

      // 5. Display text.
      const hostile = [
        'evil\u202egnp.exe',
        'a\u2066b\u2069',
        'zero\u200bwidth',
        'bom\ufeffinside',
        'lone \ud800 surrogate',
        'lone \udfff low',
        'mark\u200eltr',
      ];
      let accepted = 0;
      for (const name of hostile) {
        for (const field of ['name', 'description'] as const) {
          const res = await httpPost(server.url, CREATE, key, {
            organizationId,
            name: 'ok',
            scopes: ['projects:read'],
            [field]: name,
          });
          if (res.status !== 400) accepted++;
        }
      }
      figure(
        'display',
        `names and descriptions (of ${hostile.length * 2}) with bidi controls, invisible characters or lone surrogates accepted`,
        accepted,
        {
          eq: 0,
        },
      );
      const decomposed = await httpPost(server.url, CREATE, key, {
        organizationId,
        name: 'Cafe\u0301',
        scopes: ['projects:read'],
      });
      const stored = await httpPost(server.url, OPERATIONS.getKey.path, key, { keyId: decomposed.body.data.keyId });
      figure('display', 'a decomposed name not stored in NFC', stored.body.data.name === 'Caf\u00e9' ? 0 : 1, { eq: 0 });
    } finally {
      await stopServer(server);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
