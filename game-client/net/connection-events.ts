// What the client's transport adapters report about each connection's life,
// with times on the page's clock (the `now` NetClient is given, by default
// performance.now()): the ws adapter when it makes its socket, when it
// opens, its first message, its close; the geckos adapter when signaling
// starts, when the data channel opens, its first datagram, its close. The
// server's adapters report their side in the same words
// (game-server/transport/connection-events.ts); a connection timeline reads
// both, and nothing in the game depends on them. The default listener does
// nothing, and an adapter reports only these few steps (never once per
// message), so unused they cost nothing.
import type { ChannelName } from './channels.ts';

export type ConnectionStep =
  /** ws: `new WebSocket` (the TCP connect and HTTP upgrade start). */
  | 'connecting'
  /** geckos: signaling started (the offer's HTTP request). */
  | 'signaling'
  /** ws: the socket opened (upgrade done); geckos: signaling and ICE done, the data channel open. */
  | 'channel-open'
  /** The first message on this connection (for geckos, the first datagram: what the client counts as open). */
  | 'first-message'
  /** Either: closed, or gave up opening (`detail` says why). */
  | 'closed';

export interface ConnectionEvent {
  channel: ChannelName;
  step: ConnectionStep;
  /** The page's clock, ms. */
  atMs: number;
  detail?: string;
}

export interface ConnectionEvents {
  record(event: ConnectionEvent): void;
}

/** The default: nobody listens. */
export const NO_CONNECTION_EVENTS: ConnectionEvents = { record() {} };

/** What an adapter calls: a step (and why), stamped with the channel and the time by its channel. */
export type StepReport = (step: ConnectionStep, detail?: string) => void;

/** A report for `channel`'s adapters, stamping each step with `now()`. */
export function stepReport(channel: ChannelName, events: ConnectionEvents, now: () => number): StepReport {
  if (events === NO_CONNECTION_EVENTS) return () => {};
  return (step, detail) => events.record({ channel, step, atMs: now(), ...(detail !== undefined ? { detail } : {}) });
}
