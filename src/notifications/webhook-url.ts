import { BlockList, isIP } from 'node:net';
import { hostname } from 'node:os';

// Loopback, private, link-local (cloud metadata), carrier-grade NAT, benchmarking (198.18/15),
// IETF protocol assignments, multicast, reserved and unspecified ranges.
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['192.0.0.0', 24],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  // IPv4-compatible (deprecated), 6to4 and discard-only: the first two carry an IPv4 address.
  ['::', 96],
  ['2002::', 16],
  ['100::', 64],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  // NAT64 (RFC 6052, 8215): a gateway turns these into any IPv4 address, private ones included.
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
] as const) {
  INTERNAL.addSubnet(net, prefix, 'ipv6');
}

/** Whether an address is loopback, private, link-local, reserved, translated or IPv4-mapped. */
export function isInternalAddress(host: string): boolean {
  const family = isIP(host);
  if (family === 4) return INTERNAL.check(host, 'ipv4');
  if (family !== 6) return false;
  // IPv4 written as IPv6 (::ffff:10.0.0.1, which URL normalises to ::ffff:a00:1): a receiver
  // has a plain IPv4 address to register; the mapped form only serves to slip past checks.
  if (/^::ffff:/i.test(host)) return true;
  return INTERNAL.check(host, 'ipv6');
}

/**
 * What is wrong with a webhook URL in production, or null: it must use https, and must not
 * name this machine (localhost, its own host name) or a private, reserved or translated network
 * by address. A public name that resolves to a private address is caught at delivery, which
 * checks every address the name resolves to and connects to a checked one (postWebhook).
 */
export function productionUrlProblem(value: string): string | null {
  const url = new URL(value);
  if (url.protocol !== 'https:') return 'url must use https';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const machine = hostname().toLowerCase();
  if (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    // The machine's own name, also written with the root's trailing dot.
    host.replace(/\.$/, '') === machine ||
    isInternalAddress(host)
  ) {
    return 'url must not point to a local or private network address';
  }
  return null;
}
