// The datagram channel's transport adapter: one geckos.io data channel to
// the server, unreliable, unordered, raw bytes. The authorization is the
// single-use datagram token from the stream's welcome. Uses the global
// RTCPeerConnection (the browser's, or node-datachannel's polyfill in Node).
// The WebRTC workarounds live here with it, each with its reason:
// late-candidate-guard.ts (geckos adds ICE candidates after close) and
// closeQuietly below (geckos' close() fetches without catching).
import geckos, { type ClientChannel } from '@geckos.io/client';
import { DATAGRAM_OPEN_TIMEOUT_MS } from '../../../protocol/constants.ts';
import { asBytes } from '../../../protocol/wire/bytes.ts';
import type { StepReport } from '../connection-events.ts';
import type { Transport, TransportHandlers } from '../transport.ts';
import { guardLateIceCandidates } from './late-candidate-guard.ts';

type GeckosState = 'connecting' | 'open' | 'closed' | 'failed';

export class GeckosTransport implements Transport {
  private state: GeckosState = 'connecting';
  private readonly channel: ClientChannel;
  private ended = false;
  /** geckos' close() needs a finished handshake; before that there is nothing to close. */
  private signaled = false;
  private openTimer: ReturnType<typeof setTimeout> | undefined;

  /** `baseUrl` is the server's HTTP origin; geckos signals over it, then talks UDP. */
  constructor(
    baseUrl: string,
    token: string,
    private readonly handlers: TransportHandlers,
    private readonly report: StepReport = () => {},
  ) {
    guardLateIceCandidates();
    const url = new URL(baseUrl);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    report('signaling');
    this.channel = geckos({ url: `${url.protocol}//${url.hostname}`, port, authorization: token });
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
