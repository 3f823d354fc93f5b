// A real peer connection (node-datachannel's W3C polyfill): an ICE candidate
// that arrives after close must not become an unhandled rejection.
import { describe, expect, it } from 'vitest';
import { guardLateIceCandidates } from '../../game-client/net/geckos/late-candidate-guard.ts';
import { installNodePolyfills } from '../../game-client/net/node-polyfills.ts';

installNodePolyfills();

const CANDIDATE = { candidate: 'candidate:1 1 UDP 2122317823 127.0.0.1 40000 typ host', sdpMid: '0' };

describe('late ICE candidates', () => {
  it('reject on a closed connection without the guard', async () => {
    const connection = new RTCPeerConnection();
    connection.close();
    await expect(connection.addIceCandidate(CANDIDATE)).rejects.toThrow();
  });

  it('are ignored on a closed connection with the guard', async () => {
    guardLateIceCandidates();
    const connection = new RTCPeerConnection();
    connection.close();
    await expect(connection.addIceCandidate(CANDIDATE)).resolves.toBeUndefined();
  });
});
