// Node has neither WebRTC nor (on Node 20) a global WebSocket. The headless
// bot and the integration tests install these so game-client/net/ runs
// unchanged: ws for the stream, node-datachannel's W3C polyfill for geckos.
import { RTCIceCandidate, RTCPeerConnection, RTCSessionDescription } from 'node-datachannel/polyfill';
import { WebSocket } from 'ws';

export function installNodePolyfills(): void {
  const g = globalThis as Record<string, unknown>;
  g.WebSocket ??= WebSocket;
  g.RTCPeerConnection ??= RTCPeerConnection;
  g.RTCSessionDescription ??= RTCSessionDescription;
  g.RTCIceCandidate ??= RTCIceCandidate;
}
