import { describe, expect, it } from 'vitest';
import { canonicalAllowedIp, ipAllowed } from './allowlist.js';

describe('canonicalAllowedIp', () => {
  it('canonical ranges: bare addresses become /32 or /128, IPv6 is compressed', () => {
    expect(canonicalAllowedIp('10.0.0.0/8')).toEqual({ ok: true, cidr: '10.0.0.0/8' });
    expect(canonicalAllowedIp('192.0.2.7')).toEqual({ ok: true, cidr: '192.0.2.7/32' });
    expect(canonicalAllowedIp('2001:DB8:0:0:0:0:0:0/32')).toEqual({ ok: true, cidr: '2001:db8::/32' });
    expect(canonicalAllowedIp('::1')).toEqual({ ok: true, cidr: '::1/128' });
    expect(canonicalAllowedIp('0.0.0.0/0')).toEqual({ ok: true, cidr: '0.0.0.0/0' });
  });

  it.each([
    '10.0.0.1/8',
    '10.0.0.0/33',
    '2001:db8::/129',
    '010.0.0.0/8',
    '0x0a.0.0.0/8',
    '10.1',
    '::ffff:10.0.0.0/104',
    'fe80::1%eth0',
    '10.0.0.0/8/8',
    '10.0.0.0/-1',
    '10.0.0.0/+8',
    '10.0.0.0/08x',
    '*',
    '',
    '１０.0.0.0/8',
  ])('refuses %j', (entry) => {
    expect(canonicalAllowedIp(entry).ok).toBe(false);
  });
});

describe('ipAllowed', () => {
  const list = ['10.0.0.0/8', '2001:db8::/32'];
  it('matches IPv4, IPv4-mapped IPv6 as IPv4, and IPv6', () => {
    expect(ipAllowed(list, '10.1.2.3')).toBe(true);
    expect(ipAllowed(list, '::ffff:10.1.2.3')).toBe(true);
    expect(ipAllowed(list, '2001:db8::1')).toBe(true);
  });
  it.each(['11.0.0.1', '::ffff:11.0.0.1', '2001:db9::1', '010.1.2.3', '0x0a.1.2.3', '10.1.2.3%eth0', 'fe80::1%eth0', '', 'x'])(
    'refuses %j',
    (ip) => {
      expect(ipAllowed(list, ip)).toBe(false);
    },
  );
  it('fails closed on a list holding anything that does not parse, on an empty list and on no address', () => {
    expect(ipAllowed(['10.0.0.0/8', 'nonsense'], '10.1.2.3')).toBe(false);
    expect(ipAllowed(['10.0.0.1/8'], '10.0.0.1')).toBe(false);
    expect(ipAllowed([], '10.1.2.3')).toBe(false);
    expect(ipAllowed(list, undefined)).toBe(false);
  });
});
