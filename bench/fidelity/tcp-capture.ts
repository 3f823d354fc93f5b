// Reading a tcpdump text capture of one TCP direction (`tcpdump -n -tt -S`):
// the data segments, then for each one how many times it went out and how
// long each wait before a resend was. Pure, so it is tested on its own
// (test/unit/tcp-capture.test.ts). On loopback tcpdump sees a packet as it is
// sent, before nftables' input hook may drop it: every transmission is there,
// dropped or not, so the last transmission of a segment is the one that got
// through.

import type { SegmentHistory } from '../../protocol/netsim/stream-model.ts';

/** One data packet as sent: when, and which bytes (absolute sequence numbers, end exclusive). */
export interface CapturedSegment {
  atMs: number;
  start: number;
  end: number;
}

const LINE = /^(\d+\.\d+) IP [\d.]+\.(\d+) > [\d.]+\.\d+: .*?seq (\d+):(\d+),/;

/** A data packet sent from `port`, or null for anything else (pure ACKs, the other direction, noise). */
export function parseTcpdumpLine(line: string, port: number): CapturedSegment | null {
  const match = LINE.exec(line);
  if (!match || Number(match[2]) !== port) return null;
  const start = Number(match[3]);
  const end = Number(match[4]);
  if (!(end > start)) return null;
  return { atMs: Number(match[1]) * 1000, start, end };
}

/**
 * Each original segment's history: a packet that starts below the highest
 * byte sent so far is a resend of every original segment it overlaps (a
 * resend may merge several, and carry new bytes past the highest, which
 * count as a new segment). Sequence numbers are taken as they come (a
 * capture too short to wrap 2^32).
 */
export function segmentWaits(packets: CapturedSegment[]): SegmentHistory[] {
  const segments: { start: number; end: number; lastAtMs: number; history: SegmentHistory }[] = [];
  let highest = -Infinity;
  for (const packet of [...packets].sort((a, b) => a.atMs - b.atMs)) {
    if (packet.start < highest) {
      for (const segment of segments) {
        if (segment.end <= packet.start || segment.start >= packet.end) continue;
        segment.history.transmissions++;
        segment.history.waitsMs.push(packet.atMs - segment.lastAtMs);
        segment.lastAtMs = packet.atMs;
      }
    }
    if (packet.end > highest) {
      const start = Math.max(packet.start, highest);
      segments.push({ start, end: packet.end, lastAtMs: packet.atMs, history: { transmissions: 1, waitsMs: [] } });
      highest = packet.end;
    }
  }
  return segments.map((segment) => segment.history);
}

/** One packet of a connection to the server, as tcpdump printed it. */
export interface ConnectionPacket {
  atMs: number;
  /** The client's end, `address.port`: which connection this is. */
  client: string;
  fromServer: boolean;
  /** tcpdump's flags: `S` SYN, `F` FIN, `R` RST, `P` push, `.` ACK. */
  flags: string;
  /** Data bytes carried (0 for a pure ACK). */
  length: number;
  /** The data's sequence range, absolute (when it carries data). */
  start?: number;
  end?: number;
  /** The cumulative ACK it carries, and its SACK blocks ([start, end) each). */
  ack?: number;
  sacks: [number, number][];
}

const PACKET = /^(\d+\.\d+) IP ([\d.]+)\.(\d+) > ([\d.]+)\.(\d+): Flags \[([^\]]*)\](?:, seq (\d+)(?::(\d+))?)?.*?, length (\d+)/;

/** Any packet to or from the server's `port`, or null for anything else. */
export function parseConnectionPacket(line: string, port: number): ConnectionPacket | null {
  const m = PACKET.exec(line);
  if (!m) return null;
  const fromServer = Number(m[3]) === port;
  if (!fromServer && Number(m[5]) !== port) return null;
  const client = fromServer ? `${m[4]}.${m[5]}` : `${m[2]}.${m[3]}`;
  const length = Number(m[9]);
  const ack = / ack (\d+)/.exec(line);
  const sack = /sack \d+ ((?:\{[^}]*\})+)/.exec(line);
  const sacks = sack ? [...sack[1]!.matchAll(/\{(\d+):(\d+)\}/g)].map((b) => [Number(b[1]), Number(b[2])] as [number, number]) : [];
  const packet: ConnectionPacket = { atMs: Number(m[1]) * 1000, client, fromServer, flags: m[6]!, length, sacks };
  if (ack) packet.ack = Number(ack[1]);
  if (length > 0 && m[8] !== undefined) {
    packet.start = Number(m[7]);
    packet.end = Number(m[8]);
  }
  return packet;
}

/** A capture's packets, one list per connection (keyed by the client's end), in capture order. */
export function packetsByConnection(lines: readonly string[], port: number): Map<string, ConnectionPacket[]> {
  const connections = new Map<string, ConnectionPacket[]>();
  for (const line of lines) {
    const packet = parseConnectionPacket(line, port);
    if (!packet) continue;
    const list = connections.get(packet.client) ?? [];
    list.push(packet);
    connections.set(packet.client, list);
  }
  return connections;
}

/** The data segments one side of a connection sent, for segmentWaits. */
export function dataSent(packets: readonly ConnectionPacket[], fromServer: boolean): CapturedSegment[] {
  return packets.flatMap((p) =>
    p.fromServer === fromServer && p.start !== undefined && p.end! > p.start ? [{ atMs: p.atMs, start: p.start, end: p.end! }] : [],
  );
}

/** Waits by length: a fast repair (within a few send intervals), then around 200, 400, 800 ms and longer (TCP's minimum RTO and its doublings; a tail-loss probe also waits about 200 ms alone in flight). */
export type WaitKind = 'fast' | '~200' | '~400' | '~800' | '1600+';

export function waitKind(waitMs: number): WaitKind {
  if (waitMs < 120) return 'fast';
  if (waitMs < 300) return '~200';
  if (waitMs < 600) return '~400';
  if (waitMs < 1200) return '~800';
  return '1600+';
}
