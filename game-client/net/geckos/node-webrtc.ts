// WebRTC for geckos in Node: Node has no RTCPeerConnection, so the headless
// bot and the integration tests install node-datachannel's W3C polyfill
// (node-polyfills.ts calls this), and stop its native threads before exit.
import { cleanup } from 'node-datachannel';
import { RTCIceCandidate, RTCPeerConnection, RTCSessionDescription } from 'node-datachannel/polyfill';

/** Installs the W3C WebRTC classes geckos' client uses, where the platform has none. */
export function installNodeWebRtc(): void {
  const g = globalThis as Record<string, unknown>;
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
