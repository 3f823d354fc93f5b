// WebRTC for geckos in Node: Node has no RTCPeerConnection, so the headless
// bot and the integration tests install node-datachannel's W3C polyfill
// (node-polyfills.ts calls this), and stop its native threads before exit.
//
// node-datachannel's cleanup(), which stops those threads, crashes the
// process if a data channel was garbage-collected before its close was
// delivered (the server's side says why: game-server/transport/geckos/
// native-channel-holds.ts). So the peer connection installed here holds
// every channel until its "close" event, and closes its channels before
// itself: a channel that never opened delivers its close only then.
import { cleanup } from 'node-datachannel';
import { RTCIceCandidate, RTCPeerConnection, RTCSessionDescription } from 'node-datachannel/polyfill';

/** The polyfill's data channel (its own class, not the DOM type). */
type NodeDataChannel = ReturnType<RTCPeerConnection['createDataChannel']>;

/** Every channel not yet closed, across peer connections: node-datachannel's own set is process-wide. */
const openChannels = new Set<NodeDataChannel>();

/** Source addresses for the peer connections' UDP sockets, taken in turn (empty: every interface, node-datachannel's default). */
let bindAddresses: string[] = [];
let nextBindAddress = 0;

class ChannelHoldingPeerConnection extends RTCPeerConnection {
  private readonly channels = new Set<NodeDataChannel>();

  constructor(config?: RTCConfiguration) {
    // geckos' client passes on only iceServers and iceTransportPolicy; node-datachannel's
    // polyfill hands the whole configuration to its native PeerConnection, bindAddress included.
    const bindAddress = bindAddresses.length > 0 ? bindAddresses[nextBindAddress++ % bindAddresses.length] : undefined;
    super(bindAddress === undefined ? config : ({ ...config, bindAddress } as RTCConfiguration));
    this.addEventListener('datachannel', (event) => this.hold((event as unknown as { channel: NodeDataChannel }).channel));
  }

  override createDataChannel(label: string, options?: RTCDataChannelInit): NodeDataChannel {
    return this.hold(super.createDataChannel(label, options));
  }

  override close(): void {
    for (const channel of this.channels) channel.close();
    super.close();
  }

  private hold(channel: NodeDataChannel): NodeDataChannel {
    this.channels.add(channel);
    openChannels.add(channel);
    // The polyfill fires "close" a turn after node-datachannel delivered it.
    channel.addEventListener('close', () => {
      this.channels.delete(channel);
      openChannels.delete(channel);
    });
    return channel;
  }
}

/**
 * Installs the W3C WebRTC classes geckos' client uses, where the platform has
 * none. `bindAddresses`: each new peer connection binds its UDP socket to the
 * next one in turn (bots standing for many machines; see node-polyfills.ts).
 */
export function installNodeWebRtc(options: { bindAddresses?: string[] } = {}): void {
  bindAddresses = options.bindAddresses ?? [];
  const g = globalThis as Record<string, unknown>;
  g.RTCPeerConnection ??= ChannelHoldingPeerConnection;
  g.RTCSessionDescription ??= RTCSessionDescription;
  g.RTCIceCandidate ??= RTCIceCandidate;
}

/** Data channels whose close has not been delivered yet (tests read it: it returns to zero once clients close). */
export function nodeChannelsAwaitingClose(): number {
  return openChannels.size;
}

/** Time for closed peer connections to wind down their native threads. */
const WEBRTC_SETTLE_MS = 500;

/**
 * Lets closed peer connections finish, then stops node-datachannel's threads.
 * Exiting while they still run can abort the process ("The futex facility
 * returned an unexpected error code"); call this once, before a Node client
 * exits, and not while anything in the process still uses WebRTC.
 */
export async function shutdownNodeWebRtc(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, WEBRTC_SETTLE_MS));
  try {
    cleanup();
  } catch {
    // "cleanup timeout": its threads did not stop within its own 10 s; the exit ends them.
  }
}
