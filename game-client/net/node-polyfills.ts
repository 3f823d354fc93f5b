// Node has neither WebRTC nor (on Node 20) a global WebSocket. The headless
// bot and the integration tests install these so game-client/net/ runs
// unchanged: ws for the stream, and for geckos node-datachannel's W3C
// polyfill (geckos/node-webrtc.ts, with the geckos adapter it serves).
import { WebSocket } from 'ws';
import { installNodeWebRtc, shutdownNodeWebRtc } from './geckos/node-webrtc.ts';

export { shutdownNodeWebRtc };

/**
 * `sourceAddresses`: each new stream socket binds the next one in turn, and
 * each new WebRTC peer connection too (its UDP socket: node-datachannel's
 * bindAddress), so a bot process stands for many machines (`npm run bots --
 * --from`). Each side takes the addresses in its own turn: a bot's data
 * channel may come from another of them than its stream (the server ties the
 * two by the datagram token, not by address). The signaling requests (geckos'
 * fetch) still come from the system's choice: Node's fetch takes no local
 * address without undici's own Agent, which is not a dependency here.
 */
export function installNodePolyfills(options: { sourceAddresses?: string[] } = {}): void {
  const g = globalThis as Record<string, unknown>;
  const addresses = options.sourceAddresses ?? [];
  g.WebSocket ??= addresses.length > 0 ? webSocketFrom(addresses) : WebSocket;
  installNodeWebRtc({ bindAddresses: addresses });
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
