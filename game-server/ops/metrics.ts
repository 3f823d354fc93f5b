// Prometheus metrics (prom-client), one registry per server so tests can run
// servers side by side. Served as text at GET /metrics.
//
// Per-room series carry a `room` label. The label set stays bounded: a
// process hosts at most --max-rooms rooms, and a disposed room's series are
// removed, so a stream of new room names cannot grow the registry.
import type { ChannelName } from '../../protocol/constants.ts';
import { Counter, Gauge, Histogram, Registry, Summary, collectDefaultMetrics } from 'prom-client';

/** The window a room's tick-duration quantiles cover. */
const ROOM_TICK_WINDOW_S = 10;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const players = new Gauge({ name: 'arena_players', help: 'Players in an arena, all rooms of this process', registers: [registry] });
  const rooms = new Gauge({ name: 'arena_rooms', help: 'Rooms this process hosts', registers: [registry] });
  const roomPlayers = new Gauge({ name: 'arena_room_players', help: 'Players in the arena, per room', labelNames: ['room'], registers: [registry] });
  const tickDuration = new Histogram({
    name: 'arena_tick_duration_seconds',
    help: 'Time to simulate one tick and send its snapshots, all rooms',
    buckets: [0.0001, 0.0005, 0.001, 0.002, 0.004, 0.005, 0.01, 0.02, 0.05],
    registers: [registry],
  });
  // A summary, not a histogram, per room: quantiles over the last
  // ROOM_TICK_WINDOW_S without choosing buckets, which is what a load test reads.
  const roomTickDuration = new Summary({
    name: 'arena_room_tick_duration_seconds',
    help: `Time to simulate one tick and send its snapshots, per room, over the last ${ROOM_TICK_WINDOW_S} s`,
    labelNames: ['room'],
    percentiles: [0.5, 0.9, 0.99],
    maxAgeSeconds: ROOM_TICK_WINDOW_S,
    ageBuckets: 5,
    registers: [registry],
  });
  const messagesIn = new Counter({
    name: 'arena_messages_in_total',
    help: 'Messages received, by channel',
    labelNames: ['channel'],
    registers: [registry],
  });
  const messagesOut = new Counter({
    name: 'arena_messages_out_total',
    help: 'Messages sent, by channel',
    labelNames: ['channel'],
    registers: [registry],
  });
  const bytesIn = new Counter({ name: 'arena_bytes_in_total', help: 'Bytes received', labelNames: ['channel'], registers: [registry] });
  const bytesOut = new Counter({ name: 'arena_bytes_out_total', help: 'Bytes sent', labelNames: ['channel'], registers: [registry] });
  const drops = new Counter({
    name: 'arena_drops_total',
    help: 'Messages dropped or refused, by channel, direction and reason',
    labelNames: ['channel', 'direction', 'reason'],
    registers: [registry],
  });

  // Every native WebRTC peer connection geckos holds, read when /metrics is
  // scraped. Not the bound channels (/healthz datagramChannels): a handshake
  // never finished, or a connection nobody closed, is only counted here.
  let countPeerConnections = () => 0;
  new Gauge({
    name: 'arena_webrtc_peer_connections',
    help: 'Native WebRTC peer connections held, including handshakes not yet bound to a player',
    registers: [registry],
    collect() {
      this.set(countPeerConnections());
    },
  });
  let countChannelsAwaitingClose = () => 0;
  new Gauge({
    name: 'arena_webrtc_channels_awaiting_close',
    help: 'Native data channels held until node-datachannel delivers their close (process-wide); it returns to zero once connections end',
    registers: [registry],
    collect() {
      this.set(countChannelsAwaitingClose());
    },
  });
  const heartbeatTimeouts = new Counter({
    name: 'arena_datagram_heartbeat_timeouts_total',
    help: 'Data channels closed because nothing arrived on them for the heartbeat timeout',
    registers: [registry],
  });

  const snapshots = new Counter({
    name: 'arena_datagram_snapshots_total',
    help: 'Snapshots sent on the datagram channel, full or delta',
    labelNames: ['encoding'],
    registers: [registry],
  });

  const playersByRoom = new Map<string, number>();
  // The per-packet counters, with their labels bound once: prom-client hashes
  // a label object on every inc(), which the load benchmark's profile showed
  // among the server's top costs (several incs per packet, thousands of packets a second).
  const perChannel = (channel: ChannelName) => ({
    messagesIn: messagesIn.labels(channel),
    bytesIn: bytesIn.labels(channel),
    messagesOut: messagesOut.labels(channel),
    bytesOut: bytesOut.labels(channel),
  });
  const counters = { datagram: perChannel('datagram'), stream: perChannel('stream') };
  const snapshotsByEncoding = { full: snapshots.labels('full'), delta: snapshots.labels('delta') };

  return {
    registry,
    snapshotSent(encoding: 'full' | 'delta') {
      snapshotsByEncoding[encoding].inc();
    },
    roomOpened(room: string) {
      playersByRoom.set(room, 0);
      rooms.set(playersByRoom.size);
      roomPlayers.set({ room }, 0);
    },
    roomPlayers(room: string, count: number) {
      playersByRoom.set(room, count);
      roomPlayers.set({ room }, count);
      players.set([...playersByRoom.values()].reduce((sum, n) => sum + n, 0));
    },
    /** A disposed room: its series go, so the label set never outgrows the rooms that exist. */
    roomClosed(room: string) {
      playersByRoom.delete(room);
      rooms.set(playersByRoom.size);
      players.set([...playersByRoom.values()].reduce((sum, n) => sum + n, 0));
      roomPlayers.remove({ room });
      roomTickDuration.remove({ room });
    },
    /** Starts timing one of `room`'s ticks; call the result when the tick's snapshots are sent. */
    startTick(room: string): () => void {
      const startedAt = process.hrtime.bigint();
      return () => {
        const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
        tickDuration.observe(seconds);
        roomTickDuration.observe({ room }, seconds);
      };
    },
    received(channel: ChannelName, bytes: number) {
      counters[channel].messagesIn.inc();
      counters[channel].bytesIn.inc(bytes);
    },
    sent(channel: ChannelName, bytes: number) {
      counters[channel].messagesOut.inc();
      counters[channel].bytesOut.inc(bytes);
    },
    /** Where the peer-connection gauge reads its count (the datagram gateway, which owns geckos). */
    countPeerConnectionsWith(count: () => number) {
      countPeerConnections = count;
    },
    /** Where the channels-awaiting-close gauge reads its count (native-channel-holds.ts). */
    countChannelsAwaitingCloseWith(count: () => number) {
      countChannelsAwaitingClose = count;
    },
    datagramHeartbeatTimedOut() {
      heartbeatTimeouts.inc();
    },
    /** Data channels closed by the server's datagram heartbeat so far (tests read it). */
    async datagramHeartbeatTimeouts(): Promise<number> {
      return (await heartbeatTimeouts.get()).values[0]?.value ?? 0;
    },
    dropped(channel: ChannelName, direction: 'in' | 'out', reason: string) {
      drops.inc({ channel, direction, reason });
    },
    /** Current count of drops for one reason (tests and /healthz read it). */
    async dropCount(channel: ChannelName, direction: 'in' | 'out', reason: string): Promise<number> {
      const value = (await drops.get()).values.find((v) => v.labels.channel === channel && v.labels.direction === direction && v.labels.reason === reason);
      return value?.value ?? 0;
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
