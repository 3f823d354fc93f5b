// Bots that stand for many machines (`npm run bots -- --from`, the load
// bench): each new peer connection binds its UDP socket to the next source
// address in turn, as each new stream socket does, so the server sees a data
// channel from each of them. Real peer connections (node-datachannel's W3C
// polyfill) on loopback.
import { afterAll, describe, expect, it } from 'vitest';
import { installNodePolyfills } from '../../game-client/net/node-polyfills.ts';

const ADDRESSES = ['127.0.0.2', '127.0.0.3'];
installNodePolyfills({ sourceAddresses: ADDRESSES });

const opened: RTCPeerConnection[] = [];
afterAll(() => {
  for (const connection of opened) connection.close();
});

/** The host candidates' addresses a new peer connection gathers for its offer. */
async function hostCandidateAddresses(): Promise<string[]> {
  const connection = new RTCPeerConnection();
  opened.push(connection);
  connection.createDataChannel('probe');
  const gathered = new Promise<void>((resolve) => {
    connection.addEventListener('icegatheringstatechange', () => connection.iceGatheringState === 'complete' && resolve());
  });
  await connection.setLocalDescription(await connection.createOffer());
  await gathered;
  const sdp = connection.localDescription?.sdp ?? '';
  return [...sdp.matchAll(/a=candidate:\S+ \d+ UDP \d+ (\S+) \d+ typ host/gi)].map((m) => m[1]!);
}

describe('source addresses', () => {
  it('bind each new peer connection to the next address in turn, and only to it', async () => {
    const first = await hostCandidateAddresses();
    const second = await hostCandidateAddresses();
    const third = await hostCandidateAddresses();
    expect(new Set(first)).toEqual(new Set(['127.0.0.2']));
    expect(new Set(second)).toEqual(new Set(['127.0.0.3']));
    expect(new Set(third)).toEqual(new Set(['127.0.0.2']));
  });
});
