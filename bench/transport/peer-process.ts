// One side of the transport floor (run.ts): a process holding --pairs
// node-datachannel peer connections, one data channel each, sending
// --messages-per-second of --message-bytes on every channel (the game's 30/s
// of about 100 B) and counting what arrives. The "server" side stands for
// the game server: like geckos it creates each peer connection's channel
// (unordered, no retransmits) and so makes the offer, with every connection
// multiplexed on one UDP port (geckos' multiplex default). The "clients"
// side stands for the players: one peer connection each, its own port,
// answering. Nothing else runs here, so its CPU is the transport's floor:
// no game, no codec, no geckos, no W3C polyfill.
//
// The parent speaks to it in JSON lines: signaling in and out (offers,
// answers, candidates), "send" to start the send loop, "counters" for a
// reading; stdin closing means stop. Both sides bind 127.0.0.1 and only
// loopback candidates cross, so ICE never tries another interface.
//
//   node --import tsx bench/transport/peer-process.ts --side server|clients --pairs N
//        --messages-per-second 30 --message-bytes 100 --life-seconds S
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { PeerConnection, cleanup, setSctpSettings, type DataChannel, type DescriptionType } from 'node-datachannel';
import { LATENCY_BUCKETS, latencyBucket } from './latency-histogram.ts';

/** What this side has done since it started; the parent takes differences over its window. */
export interface SideCounters {
  /** Messages the channel took. */
  sent: number;
  /** Sends the channel refused (its buffer full): the other side cannot have lost these. */
  sendRefused: number;
  received: number;
  /** Messages the other side sent that should have arrived by now, from the highest sequence number seen on each channel. */
  expected: number;
  /** Rounds of the send loop run, and those skipped because the loop ran late. */
  ticks: number;
  ticksSkipped: number;
  failedConnections: number;
  /** One-way latency of every message received so far, in latency-histogram.ts's buckets. */
  latencyBuckets: number[];
}

/** A line from the parent. */
export type ParentCommand =
  | { type: 'connect' }
  | { type: 'description'; pair: number; sdp: string; descriptionType: DescriptionType }
  | { type: 'candidate'; pair: number; candidate: string; mid: string }
  | { type: 'send' }
  | { type: 'counters' }
  | { type: 'ports' };

/** A line to the parent. */
export type ChildReport =
  | { type: 'ready'; pid: number }
  | { type: 'description'; pair: number; sdp: string; descriptionType: DescriptionType }
  | { type: 'candidate'; pair: number; candidate: string; mid: string }
  | { type: 'open'; pair: number }
  | { type: 'counters'; counters: SideCounters }
  | { type: 'ports'; localPorts: number[] };

/** geckos' data channel label and options (its connectionsManager): unordered, no retransmits. */
const CHANNEL_LABEL = 'geckos.io';
const LOOPBACK = '127.0.0.1';
/** Closed peer connections wind down their native threads before cleanup() (game-client/net/geckos/node-webrtc.ts). */
const WEBRTC_SETTLE_MS = 500;
const MAX_PAIRS = 1_000;
const MAX_MESSAGES_PER_SECOND = 1_000;
/** Under libdatachannel's default maximum message size (65 536 B). */
const MAX_MESSAGE_BYTES = 60_000;
/** Each message starts with its sequence number on its channel (uint32, little-endian)… */
const SEQ_BYTES = 4;
/** …then the wall-clock time it was sent (float64 ms, little-endian): both processes read one machine's clock. */
const SENT_AT_BYTES = 8;
const HEADER_BYTES = SEQ_BYTES + SENT_AT_BYTES;

const { values: args } = parseArgs({
  options: {
    side: { type: 'string' },
    pairs: { type: 'string' },
    'messages-per-second': { type: 'string' },
    'message-bytes': { type: 'string' },
    'life-seconds': { type: 'string' },
    'sack-ms': { type: 'string' },
  },
});
const side = args.side;
const pairs = Number(args.pairs);
const messagesPerSecond = Number(args['messages-per-second']);
const messageBytes = Number(args['message-bytes']);
const lifeSeconds = Number(args['life-seconds']);
// Process-wide, before any peer connection: how long SCTP may wait before acknowledging data.
if (args['sack-ms'] !== undefined) setSctpSettings({ delayedSackTime: Number(args['sack-ms']) });
const sizesOk =
  messagesPerSecond > 0 &&
  messagesPerSecond <= MAX_MESSAGES_PER_SECOND &&
  Number.isInteger(messageBytes) &&
  messageBytes >= HEADER_BYTES &&
  messageBytes <= MAX_MESSAGE_BYTES;
if ((side !== 'server' && side !== 'clients') || !(Number.isInteger(pairs) && pairs >= 1 && pairs <= MAX_PAIRS) || !sizesOk || !(lifeSeconds > 0)) {
  console.error('usage: peer-process.ts --side server|clients --pairs N --messages-per-second R --message-bytes B --life-seconds S');
  process.exit(2);
}
// An upper bound on this process's life, whatever the parent does.
setTimeout(() => {
  console.error(`peer-process ${side}: life of ${lifeSeconds} s over, exiting`);
  process.exit(3);
}, lifeSeconds * 1000).unref();

/** One peer connection with its channel and what crossed it. */
interface Pair {
  peer: PeerConnection;
  channel: DataChannel | null;
  /** The next sequence number this side sends. */
  nextSeq: number;
  /** The highest sequence number received from the other side, -1 before any: with it, loss needs no clock shared with the sender. */
  highestSeqReceived: number;
}

const counters: SideCounters = {
  sent: 0,
  sendRefused: 0,
  received: 0,
  expected: 0,
  ticks: 0,
  ticksSkipped: 0,
  failedConnections: 0,
  latencyBuckets: new Array<number>(LATENCY_BUCKETS).fill(0),
};
/** This machine's wall clock in ms, to the microsecond: the same clock in both processes (unlike performance.now()'s origin). */
const wallClockMs = () => performance.timeOrigin + performance.now();
/** By pair number; the clients side fills it as offers arrive, in any order. */
const peers: (Pair | undefined)[] = [];
let stopping = false;

function report(message: ChildReport): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** A candidate line ("candidate:…" or "a=candidate:…") whose address is loopback. */
function onLoopback(candidate: string): boolean {
  return candidate.trim().split(/\s+/)[4] === LOOPBACK;
}

/** An SDP with every candidate line off loopback removed. */
function loopbackOnly(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') || onLoopback(line))
    .join('\r\n');
}

function createPeer(pair: number): Pair {
  // The server's peers share one UDP port (geckos' enableIceUdpMux); a client has its own.
  const peer = new PeerConnection(`${side}-${pair}`, { iceServers: [], bindAddress: LOOPBACK, enableIceUdpMux: side === 'server' });
  const entry: Pair = { peer, channel: null, nextSeq: 0, highestSeqReceived: -1 };
  peer.onLocalDescription((sdp, type) => report({ type: 'description', pair, sdp: loopbackOnly(sdp), descriptionType: type }));
  peer.onLocalCandidate((candidate, mid) => {
    if (onLoopback(candidate)) report({ type: 'candidate', pair, candidate, mid });
  });
  peer.onStateChange((state) => {
    if (state === 'failed' && !stopping) counters.failedConnections += 1;
  });
  return entry;
}

/** Counts what arrives on `channel`; says when it is open (an offered channel opens later, an answered one arrives open). */
function useChannel(pair: number, entry: Pair, channel: DataChannel): void {
  entry.channel = channel;
  if (channel.isOpen()) report({ type: 'open', pair });
  else channel.onOpen(() => report({ type: 'open', pair }));
  channel.onMessage((message) => {
    if (typeof message === 'string') return;
    // node-datachannel hands binary messages over as a Buffer (a view into a pool: read from its offset) or an ArrayBuffer.
    if (message.byteLength < HEADER_BYTES) return;
    const view = message instanceof ArrayBuffer ? new DataView(message) : new DataView(message.buffer, message.byteOffset, message.byteLength);
    const seq = view.getUint32(0, true);
    counters.received += 1;
    // Stamped when the sender's JavaScript handed it over, read when ours is given it: both processes' queues and SCTP between.
    counters.latencyBuckets[latencyBucket(wallClockMs() - view.getFloat64(SEQ_BYTES, true))]! += 1;
    if (seq > entry.highestSeqReceived) {
      counters.expected += seq - entry.highestSeqReceived;
      entry.highestSeqReceived = seq;
    }
  });
}

/** Candidates that came before their peer connection existed, by pair. */
const earlyCandidates = new Map<number, { candidate: string; mid: string }[]>();

function addCandidate(entry: Pair, candidate: string, mid: string): void {
  try {
    entry.peer.addRemoteCandidate(candidate, mid);
  } catch (error) {
    console.error(`peer-process ${side}: candidate refused: ${(error as Error).message}`);
  }
}

function handle(command: ParentCommand): void {
  switch (command.type) {
    case 'connect':
      // Only the server side offers, as geckos' server does.
      for (let pair = 0; pair < pairs; pair++) {
        const entry = createPeer(pair);
        peers[pair] = entry;
        useChannel(pair, entry, entry.peer.createDataChannel(CHANNEL_LABEL, { unordered: true, maxRetransmits: 0 }));
      }
      return;
    case 'description': {
      let entry = peers[command.pair];
      if (!entry && side === 'clients' && command.pair < pairs) {
        entry = createPeer(command.pair);
        peers[command.pair] = entry;
        const answering = entry;
        entry.peer.onDataChannel((channel) => useChannel(command.pair, answering, channel));
      }
      if (!entry) return;
      entry.peer.setRemoteDescription(loopbackOnly(command.sdp), command.descriptionType);
      for (const early of earlyCandidates.get(command.pair) ?? []) addCandidate(entry, early.candidate, early.mid);
      earlyCandidates.delete(command.pair);
      return;
    }
    case 'candidate': {
      if (!onLoopback(command.candidate)) return;
      const entry = peers[command.pair];
      if (entry) addCandidate(entry, command.candidate, command.mid);
      // Before its description (not expected: each side writes its description first), held until it comes.
      else if (command.pair < pairs) earlyCandidates.set(command.pair, [...(earlyCandidates.get(command.pair) ?? []), command]);
      return;
    }
    case 'send':
      startSending();
      return;
    case 'counters':
      report({ type: 'counters', counters: { ...counters, latencyBuckets: [...counters.latencyBuckets] } });
      return;
    case 'ports': {
      // The UDP ports this side's selected candidate pairs use: one on the server side if multiplexing works.
      const ports = new Set<number>();
      for (const entry of peers) {
        const port = entry?.peer.getSelectedCandidatePair()?.local.port;
        if (port !== undefined) ports.add(port);
      }
      report({ type: 'ports', localPorts: [...ports].sort((a, b) => a - b) });
      return;
    }
  }
}

/** One buffer reused for every send: the floor has no encoder (node-datachannel copies what it is given). */
const message = new Uint8Array(messageBytes).fill(0x5a);
const messageView = new DataView(message.buffer);
let sendTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * Sends one message on every open channel --messages-per-second times a second,
 * each tick due at a fixed time from the start. A tick more than one period
 * late is skipped and counted, not sent in a burst.
 */
function startSending(): void {
  if (sendTimer) return;
  const periodMs = 1000 / messagesPerSecond;
  const startedMs = performance.now();
  let tick = 0;
  const sendTick = () => {
    if (stopping) return;
    for (const entry of peers) {
      const channel = entry?.channel;
      if (!entry || !channel?.isOpen()) continue;
      messageView.setUint32(0, entry.nextSeq, true);
      messageView.setFloat64(SEQ_BYTES, wallClockMs(), true);
      // false: the channel would not take it (its buffer full). Its number is used again, so the receiver does not count it lost.
      if (channel.sendMessageBinary(message)) {
        counters.sent += 1;
        entry.nextSeq += 1;
      } else counters.sendRefused += 1;
    }
    counters.ticks += 1;
    tick += 1;
    const lateTicks = Math.floor((performance.now() - startedMs) / periodMs) - tick;
    if (lateTicks > 0) {
      counters.ticksSkipped += lateTicks;
      tick += lateTicks;
    }
    sendTimer = setTimeout(sendTick, Math.max(0, startedMs + tick * periodMs - performance.now()));
  };
  sendTick();
}

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (sendTimer) clearTimeout(sendTimer);
  for (const entry of peers) {
    try {
      entry?.channel?.close();
      entry?.peer.close();
    } catch {
      // already closed by the other side
    }
  }
  await new Promise((resolve) => setTimeout(resolve, WEBRTC_SETTLE_MS));
  cleanup();
  process.exit(0);
}

createInterface({ input: process.stdin })
  .on('line', (line) => {
    let command: ParentCommand;
    try {
      command = JSON.parse(line) as ParentCommand;
    } catch {
      return;
    }
    handle(command);
  })
  .on('close', () => void stop());
process.once('SIGTERM', () => void stop());
report({ type: 'ready', pid: process.pid });
