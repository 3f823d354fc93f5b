// Prometheus metrics (prom-client), one registry per server so tests can run
// servers side by side. Served as text at GET /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Channel = 'datagram' | 'stream';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const players = new Gauge({ name: 'arena_players', help: 'Players in the arena', registers: [registry] });
  const tickDuration = new Histogram({
    name: 'arena_tick_duration_seconds',
    help: 'Time to simulate one tick and send its snapshots',
    buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05],
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

  const snapshots = new Counter({
    name: 'arena_datagram_snapshots_total',
    help: 'Snapshots sent on the datagram channel, full or delta',
    labelNames: ['encoding'],
    registers: [registry],
  });

  return {
    registry,
    snapshotSent(encoding: 'full' | 'delta') {
      snapshots.inc({ encoding });
    },
    players,
    tickDuration,
    received(channel: Channel, bytes: number) {
      messagesIn.inc({ channel });
      bytesIn.inc({ channel }, bytes);
    },
    sent(channel: Channel, bytes: number) {
      messagesOut.inc({ channel });
      bytesOut.inc({ channel }, bytes);
    },
    dropped(channel: Channel, direction: 'in' | 'out', reason: string) {
      drops.inc({ channel, direction, reason });
    },
    /** Current count of drops for one reason (tests and /healthz read it). */
    async dropCount(channel: Channel, direction: 'in' | 'out', reason: string): Promise<number> {
      const value = (await drops.get()).values.find(
        (v) => v.labels.channel === channel && v.labels.direction === direction && v.labels.reason === reason,
      );
      return value?.value ?? 0;
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
