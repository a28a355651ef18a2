/**
 * `codika-server start --trust-proxy <addresses>` (or $CODIKA_TRUST_PROXY): the reverse proxies
 * or load balancers in front of the server, as a comma-separated list of addresses and CIDR
 * ranges (`10.0.0.0/8,192.168.1.7`, IPv6 too) or the names `loopback`, `linklocal`,
 * `uniquelocal`. A request from one of them is taken to come from the address its
 * X-Forwarded-For names (the nearest untrusted hop, as @fastify/proxy-addr reads it, which is
 * what Fastify's trustProxy uses); from any other peer, X-Forwarded-* headers are ignored.
 * Unset: no proxy is trusted, the client is the TCP peer.
 */
import proxyAddr from '@fastify/proxy-addr';
import { UsageError } from './command-deps.js';

export const TRUST_PROXY_ENV = 'CODIKA_TRUST_PROXY';
export const TRUST_PROXY_FLAG = '--trust-proxy <addresses>';
export const TRUST_PROXY_HELP = `proxies in front of the server whose X-Forwarded-For is believed: addresses or CIDR ranges, comma-separated, or loopback, linklocal, uniquelocal (default: $${TRUST_PROXY_ENV}, else none)`;

/** undefined: no proxy trusted. */
export function parseTrustProxy(flag: unknown, env: Readonly<Record<string, string | undefined>>): string[] | undefined {
  const fromEnv = env[TRUST_PROXY_ENV];
  const value = flag ?? (fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv : undefined);
  if (value === undefined) return undefined;
  const entries = String(value)
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) throw new UsageError('--trust-proxy must name at least one address or range');
  for (const entry of entries) {
    try {
      proxyAddr.compile(entry);
    } catch {
      throw new UsageError(
        `--trust-proxy: "${entry}" is not an IP address, a CIDR range or one of loopback, linklocal, uniquelocal`,
      );
    }
  }
  return entries;
}
