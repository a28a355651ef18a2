/**
 * The CLI's real `fetch`: one request over node:http / node:https, answering the part of the
 * fetch Response the API client reads (status, ok, statusText, headers.get, text()).
 *
 * Why not the global fetch: on Node 20 the first call loads undici and compiles its WASM HTTP
 * parser — about 120 ms and 40 MB on every `codika` run (the profile of `update-key` showed it
 * as most of the round trip). Errors are shaped like fetch's (TypeError('fetch failed', {cause}))
 * so the client's messages stay the same; an aborted signal rejects with its reason; redirects
 * are refused, as with `redirect: 'error'`.
 */
import type { IncomingMessage, RequestOptions } from 'node:http';
import type { FetchFn } from './deps.js';

function failed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause });
}

interface MinimalResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export const httpFetch: FetchFn = async (input, init) => {
  const url = new URL(input);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw failed(new Error(`unsupported protocol ${url.protocol}`));
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  const body = typeof init.body === 'string' ? init.body : init.body == null ? undefined : String(init.body);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries((init.headers ?? {}) as Record<string, string>)) headers[name] = value;
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));

  const options: RequestOptions = { method: init.method ?? 'GET', headers, agent: false };
  const response = await new Promise<MinimalResponse>((resolve, reject) => {
    const req = request(url, options, (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location !== undefined && init.redirect === 'error') {
        res.resume();
        reject(failed(new Error(`unexpected redirect to ${res.headers.location}`)));
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (err) => reject(failed(err)));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          ok: status >= 200 && status < 300,
          status,
          statusText: res.statusMessage ?? '',
          headers: {
            get(name) {
              const value = res.headers[name.toLowerCase()];
              if (value === undefined) return null;
              return Array.isArray(value) ? value.join(', ') : value;
            },
          },
          text: async () => text,
        });
      });
    });
    const onAbort = () => {
      req.destroy();
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('close', () => signal?.removeEventListener('abort', onAbort));
    req.on('error', (err) => reject(signal?.aborted ? signal.reason : failed(err)));
    req.end(body);
  });
  return response as unknown as Response;
};
