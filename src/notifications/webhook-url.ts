import { BlockList, isIP } from 'node:net';

// Loopback, private, link-local (cloud metadata), carrier-grade NAT and unspecified ranges.
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv6');
}

function isInternalAddress(host: string): boolean {
  const family = isIP(host);
  if (family === 4) return INTERNAL.check(host, 'ipv4');
  if (family !== 6) return false;
  // An IPv4 address written as IPv6 (::ffff:10.0.0.1, normalised by URL to ::ffff:a00:1).
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(host);
  if (mapped) {
    const [hi, lo] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
    return INTERNAL.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4');
  }
  return INTERNAL.check(host, 'ipv6');
}

/**
 * What is wrong with a webhook URL in production, or null: it must use https, and must not
 * name this machine or a private network by address or as localhost. (A public name that
 * resolves to a private address is not caught here.)
 */
export function productionUrlProblem(value: string): string | null {
  const url = new URL(value);
  if (url.protocol !== 'https:') return 'url must use https';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || isInternalAddress(host)) {
    return 'url must not point to a local or private network address';
  }
  return null;
}
