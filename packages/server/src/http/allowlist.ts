/**
 * A key's IP allowlist: IPv4 and IPv6 addresses and CIDR ranges, parsed by ipaddr.js (the
 * library @fastify/proxy-addr uses for --trust-proxy), never by hand.
 *
 * Entries are judged strictly when they are set (`canonicalAllowedIp`): IPv4 only in
 * four-part decimal (ipaddr.js would also read `010.1` or `0xa.1` — octal and hex forms a
 * person rarely means), no zone index, no IPv4-mapped IPv6 range (write the IPv4 range), and a
 * range without host bits set (`10.0.0.1/8` is refused, naming `10.0.0.0/8`). A bare address is
 * stored as a /32 or /128 range. Stored entries are canonical (`2001:db8::/32`).
 *
 * At each request (`ipAllowed`) the client address — the TCP peer, or X-Forwarded-For only
 * through the proxies --trust-proxy names (Fastify's request.ip) — is read with
 * `ipaddr.process`, which turns an IPv4-mapped IPv6 address (`::ffff:10.1.2.3`, what a
 * dual-stack socket reports for an IPv4 peer) into the IPv4 address it is, so it meets the
 * IPv4 ranges and only them. Fails closed: a client address that does not parse, or a stored
 * list holding anything that does not parse, allows nothing.
 */
import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** The canonical form of an allowlist entry, or why it is not one. */
export function canonicalAllowedIp(entry: string): { ok: true; cidr: string } | { ok: false; problem: string } {
  const text = entry.trim();
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const bits = slash === -1 ? undefined : text.slice(slash + 1);
  const notOne = { ok: false as const, problem: `"${entry}" is not an IPv4 or IPv6 address or CIDR range` };
  if (bits !== undefined && !/^\d{1,3}$/.test(bits)) return notOne;
  let kind: 'ipv4' | 'ipv6';
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) kind = 'ipv4';
  else if (ipaddr.IPv6.isValid(address) && !address.includes('%')) kind = 'ipv6';
  else return notOne;
  if (kind === 'ipv6' && ipaddr.IPv6.parse(address).isIPv4MappedAddress()) {
    return { ok: false, problem: `"${entry}" is an IPv4-mapped IPv6 address; write the IPv4 address or range instead` };
  }
  const max = kind === 'ipv4' ? 32 : 128;
  const prefix = bits === undefined ? max : Number(bits);
  if (prefix > max) return { ok: false, problem: `"${entry}": the prefix length must be at most ${max}` };
  const cidr = `${address}/${prefix}`;
  const network = kind === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  const parsed = ipaddr.parse(address);
  if (network.toString() !== parsed.toString()) {
    return { ok: false, problem: `"${entry}" has host bits set; did you mean ${network.toString()}/${prefix}?` };
  }
  return { ok: true, cidr: `${network.toString()}/${prefix}` };
}

/** Compiled stored lists (by their text); null: the list holds an entry that does not parse. */
const compiled = new Map<string, Range[] | null>();
const COMPILED_MAX = 10_000;

function compile(entries: readonly string[]): Range[] | null {
  const cacheKey = entries.join(',');
  const cached = compiled.get(cacheKey);
  if (cached !== undefined) return cached;
  let ranges: Range[] | null = [];
  for (const entry of entries) {
    const canonical = typeof entry === 'string' ? canonicalAllowedIp(entry) : { ok: false as const };
    if (!canonical.ok) {
      ranges = null;
      break;
    }
    ranges.push(ipaddr.parseCIDR(canonical.cidr));
  }
  if (compiled.size >= COMPILED_MAX) compiled.clear();
  compiled.set(cacheKey, ranges);
  return ranges;
}

/** True when `clientIp` lies in one of the ranges of `entries` (see the module comment: fails closed). */
export function ipAllowed(entries: readonly string[], clientIp: string | undefined): boolean {
  const ranges = compile(entries);
  if (ranges === null || ranges.length === 0 || clientIp === undefined) return false;
  // Only the forms a socket or a proxy writes: four-part decimal IPv4, or IPv6 without a zone
  // (an IPv4-mapped one read as the IPv4 address it is). Anything else allows nothing.
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    if (ipaddr.IPv4.isValidFourPartDecimal(clientIp)) address = ipaddr.IPv4.parse(clientIp);
    else if (ipaddr.IPv6.isValid(clientIp) && !clientIp.includes('%')) address = ipaddr.process(clientIp);
    else return false;
  } catch {
    return false;
  }
  return ranges.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
}
