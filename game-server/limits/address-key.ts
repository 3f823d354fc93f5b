// Which "address" a per-address bound counts a connection under. An IPv4
// client has one address; an IPv6 host is usually given a whole /64 and can
// pick a fresh address from it for every connection, so an IPv6 address is
// counted by its /64 — otherwise one machine could be 2^64 addresses to
// every bound here. An IPv4 address written as IPv6 (`::ffff:192.0.2.1`, what
// a dual-stack socket reports) is the IPv4 address.
import { isIPv6 } from 'node:net';

/** The key a remote address is bounded under: the IPv4 address, or the IPv6 address's /64. */
export function addressKey(remoteAddress: string | undefined): string {
  if (!remoteAddress) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mapped) return mapped[1]!;
  if (!isIPv6(remoteAddress)) return remoteAddress;
  return `${expandIPv6(remoteAddress).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, without leading zeros (`::` expanded; a zone id dropped). */
function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((group) => (parseInt(group, 16) || 0).toString(16));
}
