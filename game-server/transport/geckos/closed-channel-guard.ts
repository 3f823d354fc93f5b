// geckos.io/server 3.1 sets a connection's `channel.dataChannel` to null when
// it closes the connection (a failed or abandoned handshake, a peer gone).
// node-datachannel may still deliver that data channel's "open" event,
// already queued on its thread, afterwards: geckos' open handler then calls
// `this.dataChannel.onMessage` on null, inside a native callback, and a
// JavaScript exception there aborts the whole process (`terminate called
// after throwing an instance of 'Napi::Error'`; seen under the load
// benchmark). One unlucky handshake must not end every room's game.
//
// The guard watches geckos' map of connections and, for each new one, turns
// that null into a closed stand-in channel whose methods do nothing: the
// late "open" then reaches our gateway with a channel that reports closed,
// which it drops like any unbound channel.
import type { ServerChannel } from '@geckos.io/server';

type NativeChannel = ServerChannel['dataChannel'];

/** A data channel that is closed for good: every call is harmless. */
export const CLOSED_DATA_CHANNEL = {
  isOpen: () => false,
  close: () => {},
  onOpen: () => {},
  onClosed: () => {},
  onError: () => {},
  onMessage: () => {},
  onBufferedAmountLow: () => {},
  bufferedAmount: () => 0,
  maxMessageSize: () => 0,
  getLabel: () => '',
  sendMessage: () => false,
  sendMessageBinary: () => false,
} as unknown as NativeChannel;

interface GeckosConnection {
  channel?: { dataChannel: NativeChannel | null };
}

/** Installs the guard on geckos' connection map (`io.connectionsManager.connections`). */
export function keepClosedChannelsHarmless(connections: Map<string, GeckosConnection>): void {
  const set = connections.set.bind(connections);
  connections.set = (id, connection) => {
    const channel = connection.channel;
    if (channel) {
      let current = channel.dataChannel;
      Object.defineProperty(channel, 'dataChannel', {
        configurable: true,
        enumerable: true,
        get: () => current,
        set: (next: NativeChannel | null) => (current = next ?? CLOSED_DATA_CHANNEL),
      });
    }
    return set(id, connection);
  };
}
