// Behind 1:1 NAT (a cloud VM, a container) the server's host ICE candidates
// name a private address the browser cannot reach. With PUBLIC_IP set, the
// signaling answers are rewritten to advertise that address instead, the way
// pion's SetNAT1To1IPs does. The UDP port stays the same.

const HOST_CANDIDATE = /(candidate:\S+ \d+ (?:udp|UDP|tcp|TCP) \d+ )(\S+)( \d+ typ host)/g;

/** Replaces the address of every host candidate in `text` (SDP or JSON) with `publicIp`. */
export function rewriteHostCandidates(text: string, publicIp: string): string {
  return text.replace(HOST_CANDIDATE, (_match, before: string, _address: string, after: string) => `${before}${publicIp}${after}`);
}
