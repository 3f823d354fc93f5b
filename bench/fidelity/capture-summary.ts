// What a tcpdump capture of the game server's TCP port says, connection by
// connection: who the client was (the page, a bot from BOTS_FROM or a stream
// observer from OBSERVERS_FROM), whether the connection opened or closed
// during the capture (a reconnect shows as a close and an open), how the
// server's data segments were repaired, and how much data the client sent
// back (each client segment carries an ACK, so it is a chance for the server
// to hear that a repair arrived). Pure.
import { resendCauses } from './repair-causes.ts';
import { tallySegments, type SegmentTally } from './stall-tally.ts';
import { dataSent, packetsByConnection, segmentWaits, waitKind } from './tcp-capture.ts';

/** The bots' source address (bench/fidelity/run.ts): the page's stream comes from 127.0.0.1, so a capture tells them apart. */
export const BOTS_FROM = '127.0.0.2';
/**
 * The stream observers' source addresses (stream-observers.ts, one process
 * each): two, because the server seats at most DEFAULT_MAX_SEATS_PER_ADDRESS
 * (16) players from one address and bench:fidelity runs up to 24 observers.
 */
export const OBSERVERS_FROM = ['127.0.0.3', '127.0.0.4'] as const;

export interface CapturedConnection {
  client: string;
  role: 'page' | 'bot' | 'observer';
  /** A SYN was seen: the connection started during the capture. */
  opened: boolean;
  /** A FIN or RST was seen: it ended during the capture. */
  closed: boolean;
  /** The server's data segments (snapshots, events, pongs, WebSocket pings), and their repairs. */
  serverSent: SegmentTally;
  /**
   * The server's resent segments by what each wait was and why (repair-causes.ts):
   * "data fast, ack ~200" = lost, repaired fast, the repair's ACK lost, resent after ~200 ms.
   */
  serverResends: Record<string, number>;
  /** The client's data segments (its pings, chat, WebSocket pongs) and their repairs. */
  clientSent: SegmentTally;
  /** First to last packet, s. */
  spanS: number;
}

export interface CaptureSummary {
  connections: CapturedConnection[];
}

/** Clients by source address: bots and observers each have their own (BOTS_FROM, OBSERVERS_FROM); anything else is the page. */
export function captureSummary(text: string, port: number): CaptureSummary {
  const from = (client: string, address: string) => client.startsWith(`${address}.`);
  const connections = [...packetsByConnection(text.split('\n'), port)].map(
    ([client, packets]): CapturedConnection => ({
      client,
      role: from(client, BOTS_FROM) ? 'bot' : OBSERVERS_FROM.some((address) => from(client, address)) ? 'observer' : 'page',
      opened: packets.some((p) => p.flags.includes('S')),
      closed: packets.some((p) => p.flags.includes('F') || p.flags.includes('R')),
      serverSent: tallySegments(segmentWaits(dataSent(packets, true))),
      serverResends: resendPatterns(packets),
      clientSent: tallySegments(segmentWaits(dataSent(packets, false))),
      spanS: Math.round((packets.at(-1)!.atMs - packets[0]!.atMs) / 100) / 10,
    }),
  );
  const order = { page: 0, observer: 1, bot: 2 };
  return { connections: connections.sort((a, b) => order[a.role] - order[b.role]) };
}

function resendPatterns(packets: Parameters<typeof resendCauses>[0]): Record<string, number> {
  const patterns: Record<string, number> = {};
  for (const segment of resendCauses(packets, true)) {
    const steps = segment.causes.map((cause, i) => `${cause} ${waitKind(segment.sendsAtMs[i + 1]! - segment.sendsAtMs[i]!)}`);
    const key = steps.join(', ');
    patterns[key] = (patterns[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(patterns).sort((a, b) => b[1] - a[1]));
}
