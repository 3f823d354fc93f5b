// node-datachannel keeps every native data channel in a process-wide set
// until that channel's close has been delivered to JavaScript, and its
// cleanup() — which stops the native threads, once per process at exit —
// walks that set. But a channel's destructor does not leave the set
// (node-datachannel 0.33, data-channel-wrapper.cpp: `~DataChannelWrapper`
// calls `doClose` only, while `doCleanup`, which leaves it, runs when the
// close is delivered). A channel garbage-collected before its close was
// delivered is left there as a dangling pointer, and the next cleanup()
// crashes the process (three channels that never opened, collected, then
// cleanup(): a segfault every time; held, never — the test
// test/integration/native-cleanup.test.ts does just that through a real
// server). Those were the test workers that "exited unexpectedly" after
// every test had passed.
//
// The channels that get there are the ones that never opened: closing their
// peer connection alone never delivers their close; closing the channel
// itself first does. So for every channel geckos creates:
// - we hold it until its close has been delivered (and one turn more: the
//   delivery ends with node-datachannel's own bookkeeping), and
// - closing its geckos connection closes the channel first.
import type { ServerChannel } from '@geckos.io/server';
import { cleanup } from 'node-datachannel';

type NativeChannel = NonNullable<ServerChannel['dataChannel']>;

/** What this needs of a geckos connection (its WebRTCConnection). */
interface GeckosConnection {
  channel?: { dataChannel: NativeChannel | null };
  close(state?: string): Promise<unknown>;
}

/** A channel closed before we saw it may still have its close in flight: held this long, then let go. */
const HOLD_UNSEEN_CLOSE_MS = 60_000;

/** Every channel held, across servers: node-datachannel's own set is process-wide. */
const held = new Set<NativeChannel>();

/** Native data channels whose close has not been delivered yet (a gauge: it returns to zero once connections end). */
export function nativeChannelsAwaitingClose(): number {
  return held.size;
}

/**
 * Holds the data channel of every connection geckos adds to `connections`
 * (`io.connectionsManager.connections`) until its close is delivered, and
 * makes closing the connection close its channel first.
 */
export function holdNativeChannels(connections: Map<string, GeckosConnection>): void {
  const set = connections.set.bind(connections);
  connections.set = (id, connection) => {
    const native = connection.channel?.dataChannel;
    if (native && !held.has(native)) {
      hold(native);
      const closeConnection = connection.close.bind(connection);
      connection.close = (state) => {
        closeQuietly(native);
        return closeConnection(state);
      };
    }
    return set(id, connection);
  };
}

function hold(native: NativeChannel): void {
  held.add(native);
  const release = () => setImmediate(() => held.delete(native));
  try {
    // node-datachannel keeps one close callback per channel; geckos' own does nothing.
    native.onClosed(release);
  } catch {
    // Closed already: its close may still be on its way, under geckos' callback.
    setTimeout(() => held.delete(native), HOLD_UNSEEN_CLOSE_MS).unref();
  }
}

function closeQuietly(native: NativeChannel): void {
  try {
    native.close();
  } catch {
    // closed already
  }
}

/**
 * Stops node-datachannel's native threads: once per process, at exit, after
 * every server in it has closed (a process that goes on using WebRTC must
 * not call it). Every channel is held until its close is delivered, so no
 * dangling one is left for it to touch.
 */
export function stopNodeDataChannel(): void {
  try {
    cleanup();
  } catch {
    // "cleanup timeout": its threads did not stop within its own 10 s; the exit ends them.
  }
}
