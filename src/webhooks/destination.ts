import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook must not reach when only public destinations are allowed
 * (WEBHOOK_PRIVATE_DESTINATIONS=deny): the special-purpose blocks of RFC 6890 and its successors
 * that are not globally reachable. An organization that could register them could make the
 * service POST into the network it runs in (server-side request forgery). BlockList judges an
 * IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) by the IPv4 rules.
 */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, where clouds serve instance metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast included
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback (::1) and the deprecated IPv4-compatible ::a.b.c.d
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments: Teredo (2001::/32), which embeds IPv4 addresses, among them
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4, which embeds an IPv4 address
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/**
 * IPv6 addresses whose last 32 bits are the IPv4 address a packet to them reaches: NAT64's
 * well-known prefix (RFC 6052; a DNS64 resolver answers it for names that have IPv4 addresses
 * only, so it cannot be refused whole) and SIIT's IPv4-translated addresses (`::ffff:0:a.b.c.d`).
 * They are judged by that IPv4 address.
 */
const TRANSLATING_IPV4 = new BlockList();
TRANSLATING_IPV4.addSubnet('64:ff9b::', 96, 'ipv6');
TRANSLATING_IPV4.addSubnet('::ffff:0:0:0', 96, 'ipv6');

/** The IPv4 address in the last 32 bits of an IPv6 address. */
function lastIPv4Of(ipv6: string): string {
  const address = ipv6.split('%')[0]; // a zone (fe80::1%eth0) is not part of the address
  const tail = address.slice(address.lastIndexOf(':') + 1);
  if (tail.includes('.')) return tail; // written dotted already: `64:ff9b::10.0.0.1`
  const [left, right] = address.split('::');
  const groups = (text: string | undefined) => (text ? text.split(':') : []);
  const [head, rest] = [groups(left), groups(right)];
  const zeros = right === undefined ? [] : Array(8 - head.length - rest.length).fill('0');
  const [high16, low16] = [...head, ...zeros, ...rest].slice(6).map((group) => parseInt(group, 16));
  return [high16 >> 8, high16 & 255, low16 >> 8, low16 & 255].join('.');
}

/** Whether `address`, an IP address as text, is one a webhook may be sent to when only public ones are. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6 && TRANSLATING_IPV4.check(address, 'ipv6'))
    return isPublicAddress(lastIPv4Of(address));
  return !NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** `localhost` and the names under it (RFC 6761), which resolvers answer with loopback. */
function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** A URL's host as an IP address (`[::1]` unbracketed), or null for a name. */
function addressOfHost(hostname: string): string | null {
  const unbracketed = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return isIP(unbracketed) === 0 ? null : unbracketed;
}

/**
 * Why a URL's host is not a public destination, or null. Only what the URL itself says is
 * judged: a name is resolved when a delivery connects (lookupThrough), since its addresses can
 * change after registration.
 */
export function privateHostProblem(hostname: string): string | null {
  const address = addressOfHost(hostname);
  if (address !== null) {
    return isPublicAddress(address) ? null : `${address} is not a public address`;
  }
  return isLocalhostName(hostname) ? `${hostname} is a loopback name` : null;
}
