// A client that signals but never completes the handshake leaves a native
// peer connection behind, which geckos keeps forever. The geckos adapter
// sweeps geckos' connections every HEARTBEAT_INTERVAL_MS with this, and
// closes any the game has not kept within DATAGRAM_OPEN_TIMEOUT_MS (plus a
// beat).
import { DATAGRAM_OPEN_TIMEOUT_MS, DROP_ABANDONED_HANDSHAKE, HEARTBEAT_INTERVAL_MS } from '../../../protocol/constants.ts';
import type { Metrics } from '../../ops/metrics.ts';

/** What the sweep needs of a geckos connection (its WebRTCConnection). */
interface GeckosConnection {
  channel?: { dataChannel?: { close(): void } | null };
  close(): Promise<unknown>;
}

export class AbandonedHandshakes {
  /** geckos' connections that have not (yet) become a kept channel, with when we first saw them. */
  private readonly unbound = new Map<string, number>();

  constructor(private readonly metrics: Metrics) {}

  /** Closes, and counts, every connection in `connections` unkept for too long; `kept` are the game's channels. */
  sweep(now: number, connections: Map<string, GeckosConnection>, kept: { has(id: string): boolean }): void {
    const { unbound } = this;
    for (const [id, connection] of connections) {
      if (!id || kept.has(id)) {
        if (id) unbound.delete(id);
        continue;
      }
      const firstSeen = unbound.get(id) ?? now;
      unbound.set(id, firstSeen);
      if (now - firstSeen > DATAGRAM_OPEN_TIMEOUT_MS + HEARTBEAT_INTERVAL_MS) {
        unbound.delete(id);
        this.metrics.dropped('datagram', 'in', DROP_ABANDONED_HANDSHAKE);
        // geckos closes a data channel only if it is open; this one never
        // opened, so close it first, then let geckos close the connection.
        try {
          connection.channel?.dataChannel?.close();
        } catch {
          // already gone
        }
        void connection.close().catch(() => {});
      }
    }
    for (const id of unbound.keys()) if (!connections.has(id)) unbound.delete(id);
  }
}
