// The datagram channel's transport adapter: one geckos.io data channel to
// the server, unreliable, unordered, raw bytes. The authorization is the
// single-use datagram token from the stream's welcome. Uses the global
// RTCPeerConnection (the browser's, or node-datachannel's polyfill in Node).
// The WebRTC workarounds live here with it, each with its reason:
// late-candidate-guard.ts (geckos adds ICE candidates after close) and
// closeQuietly below (geckos' close() fetches without catching). What the
// connection timeline sees of it comes from peer-connection-tap.ts (its
// peer connection's states) and signaling-timing.ts (its HTTP requests).
import geckos, { type ClientChannel } from '@geckos.io/client';
import { DATAGRAM_OPEN_TIMEOUT_MS } from '../../../protocol/constants.ts';
import { asBytes } from '../../../protocol/wire/bytes.ts';
import { NO_CONNECTION_EVENTS, type ConnectionEvents, type StepReport } from '../connection-events.ts';
import type { Transport, TransportHandlers } from '../transport.ts';
import { guardLateIceCandidates } from './late-candidate-guard.ts';
import { tapPeerConnection } from './peer-connection-tap.ts';
import { watchSignaling, type SignalingWatch } from './signaling-timing.ts';

type GeckosState = 'connecting' | 'open' | 'closed' | 'failed';

export class GeckosTransport implements Transport {
  private state: GeckosState = 'connecting';
  private readonly channel: ClientChannel;
  private ended = false;
  /** geckos' close() needs a finished handshake; before that there is nothing to close. */
  private signaled = false;
  private openTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly signalingWatch: SignalingWatch;
  private sentAnything = false;

  /** `baseUrl` is the server's HTTP origin; geckos signals over it, then talks UDP. */
  constructor(
    baseUrl: string,
    token: string,
    private readonly handlers: TransportHandlers,
    private readonly report: StepReport = () => {},
    /** Told the signaling requests' measured times (Resource Timing, on the clock `now` reads: performance.now()). */
    events: ConnectionEvents = NO_CONNECTION_EVENTS,
    private readonly now: () => number = () => performance.now(),
  ) {
    guardLateIceCandidates();
    const url = new URL(baseUrl);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    report('signaling');
    const origin = `${url.protocol}//${url.hostname}`;
    this.signalingWatch = watchSignaling(`${origin}:${port}/.wrtc/v2`, now(), events);
    this.channel = geckos({ url: origin, port, authorization: token });
    // The peer connection's steps, until this transport ends (a closed connection's late events belong to no attempt).
    tapPeerConnection(
      this.channel,
      (step, detail) => this.ended || report(step, detail),
      (id) => (this.signalingWatch.connectionId = id),
    );
    // Without UDP, ICE never completes and geckos' connect never settles; we
    // give up on our own. The server sends snapshots as soon as it binds the
    // channel, so the first datagram heard is what counts as "open" (geckos'
    // "connected" can come before the channel can carry anything).
    this.openTimer = setTimeout(() => {
      if (this.signaled) closeQuietly(this.channel);
      this.end('failed', 'no datagram arrived in time (is UDP blocked?)');
    }, DATAGRAM_OPEN_TIMEOUT_MS);
    this.channel.onConnect((error) => {
      if (error) {
        clearTimeout(this.openTimer);
        return this.end('failed', error.status ? `status ${error.status}` : error.message);
      }
      this.signaled = true;
      if (this.ended) return closeQuietly(this.channel); // closed or timed out while connecting
      report('channel-open');
      this.channel.onRaw((message) => {
        if (this.ended) return;
        if (this.state === 'connecting') {
          clearTimeout(this.openTimer);
          this.state = 'open';
          report('first-message');
          handlers.onOpen();
        }
        const bytes = asBytes(message);
        if (bytes) handlers.onData(bytes);
      });
      this.channel.onDisconnect(() => {
        clearTimeout(this.openTimer);
        this.end('closed');
      });
    });
  }

  /** Sends one datagram; returns its size, or 0 when the channel is not open. */
  send(data: Uint8Array | string): number {
    if (this.state !== 'open') return 0;
    this.channel.raw.emit(data);
    if (!this.sentAnything) {
      this.sentAnything = true;
      this.report('first-send');
    }
    return typeof data === 'string' ? data.length : data.byteLength;
  }

  /**
   * Whether the real transport under the channel is up: the peer connection's
   * own state, which ICE consent checks keep current whatever the game's
   * simulated network drops. geckos keeps the RTCPeerConnection private.
   */
  isUp(): boolean {
    const native = (this.channel as unknown as { peerConnection?: { localPeerConnection?: RTCPeerConnection } }).peerConnection;
    return native?.localPeerConnection?.connectionState === 'connected';
  }

  close(): void {
    if (!this.ended && this.signaled) closeQuietly(this.channel);
    clearTimeout(this.openTimer);
    this.end('closed');
  }

  private end(state: 'closed' | 'failed', error?: string) {
    if (this.ended) return;
    this.ended = true;
    this.state = state;
    // What this connection's requests measure after it ended belongs to no attempt (a new one may have begun).
    this.signalingWatch.stop(this.now());
    this.report('closed', error);
    this.handlers.onClose(error);
  }
}

/**
 * geckos' close() tells the server with a fetch it neither awaits nor
 * catches: when the server is gone (restarted, unreachable) that becomes an
 * uncaught "Failed to fetch". The fetch starts synchronously inside close(),
 * so for that one call we hand geckos a fetch whose failure is absorbed.
 */
function closeQuietly(channel: ClientChannel): void {
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => realFetch(input, init).catch(() => new Response(null, { status: 503 }));
  try {
    channel.close();
  } finally {
    globalThis.fetch = realFetch;
  }
}
