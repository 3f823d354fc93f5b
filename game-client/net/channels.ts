// The client's two channels as the rest of the page sees them: their names,
// the states each goes through, and the figures status() reports for each.
// The view (game-view.ts) re-exports these: it reads the network's states,
// the network does not take them from the view.
import type { ChannelFigures } from '../../protocol/netsim/stats.ts';

/** The two channels' names are the protocol's (the server labels its metrics with them too). */
export { CHANNEL_NAMES, type ChannelName } from '../../protocol/constants.ts';

/** `fallback`: WebRTC could not connect, positions come over the stream. */
export type DatagramChannelState = 'connecting' | 'open' | 'closed' | 'fallback';
export type StreamChannelState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** One channel as the page shows it: its state, what arrived on it, and its measured figures. */
export interface ChannelStatus extends ChannelFigures {
  state: string;
  /** Datagrams or stream messages that failed to decode. */
  malformed: number;
  /** Snapshots that arrived whole, and as deltas against an acknowledged baseline. */
  fullSnapshots: number;
  deltaSnapshots: number;
  /** Deltas dropped because their baseline was no longer here (never corrupts the state). */
  baselineMisses: number;
}
