// Node has neither WebRTC nor (on Node 20) a global WebSocket. The headless
// bot and the integration tests install these so game-client/net/ runs
// unchanged: ws for the stream, node-datachannel's W3C polyfill for geckos.
import { cleanup } from 'node-datachannel';
import { RTCIceCandidate, RTCPeerConnection, RTCSessionDescription } from 'node-datachannel/polyfill';
import { WebSocket } from 'ws';

export function installNodePolyfills(): void {
  const g = globalThis as Record<string, unknown>;
  g.WebSocket ??= WebSocket;
  g.RTCPeerConnection ??= RTCPeerConnection;
  g.RTCSessionDescription ??= RTCSessionDescription;
  g.RTCIceCandidate ??= RTCIceCandidate;
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
