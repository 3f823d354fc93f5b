// Node has neither WebRTC nor (on Node 20) a global WebSocket. The headless
// bot and the integration tests install these so game-client/net/ runs
// unchanged: ws for the stream, node-datachannel's W3C polyfill for geckos.
import { cleanup } from 'node-datachannel';
import { RTCIceCandidate, RTCPeerConnection, RTCSessionDescription } from 'node-datachannel/polyfill';
import { WebSocket } from 'ws';

/**
 * `sourceAddresses`: each new stream socket binds the next one in turn (a
 * bot process standing for many machines; see `npm run bots -- --from`).
 */
export function installNodePolyfills(options: { sourceAddresses?: string[] } = {}): void {
  const g = globalThis as Record<string, unknown>;
  const addresses = options.sourceAddresses ?? [];
  g.WebSocket ??= addresses.length > 0 ? webSocketFrom(addresses) : WebSocket;
  g.RTCPeerConnection ??= RTCPeerConnection;
  g.RTCSessionDescription ??= RTCSessionDescription;
  g.RTCIceCandidate ??= RTCIceCandidate;
}

/** ws's WebSocket, each instance bound to the next of `addresses` as its source. */
function webSocketFrom(addresses: string[]): typeof WebSocket {
  let next = 0;
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { localAddress: addresses[next++ % addresses.length] });
    }
  } as typeof WebSocket;
}

/** Time for closed peer connections to wind down their native threads. */
const WEBRTC_SETTLE_MS = 500;

/**
 * Lets closed peer connections finish, then stops node-datachannel's threads.
 * Exiting while they still run can abort the process ("The futex facility
 * returned an unexpected error code"); call this before a Node client exits.
 */
export async function shutdownNodeWebRtc(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, WEBRTC_SETTLE_MS));
  cleanup();
}
