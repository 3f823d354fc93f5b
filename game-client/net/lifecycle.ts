// What the client's transport adapters report about their own lifecycle,
// with times on the page's clock (the `now` NetClient is given, by default
// performance.now()): the ws adapter when it makes its socket, when it
// opens, its first message, its close; the geckos adapter when signaling
// starts, when the data channel opens, its first datagram, its close. A
// connection-timeline view reads them; nothing else depends on them. The
// default listener does nothing, and an adapter reports only these few
// steps (never once per message), so unused they cost nothing.
import type { ChannelName } from './channels.ts';

export type LifecycleStep =
  /** ws: `new WebSocket` (the TCP connect and HTTP upgrade start). */
  | 'connecting'
  /** ws: the socket opened (upgrade done). */
  | 'open'
  /** ws: the first message on this socket. */
  | 'first-message'
  /** geckos: signaling started (the offer's HTTP request). */
  | 'signaling'
  /** geckos: signaling and ICE done, the data channel open. */
  | 'channel-open'
  /** geckos: the first datagram arrived (what the client counts as open). */
  | 'first-datagram'
  /** Either: closed, or gave up opening (`detail` says why). */
  | 'closed';

export interface LifecycleEvent {
  channel: ChannelName;
  step: LifecycleStep;
  /** The page's clock, ms. */
  atMs: number;
  detail?: string;
}

export type LifecycleListener = (event: LifecycleEvent) => void;

/** The default: nobody listens. */
export const IGNORE_LIFECYCLE: LifecycleListener = () => {};

/** What an adapter calls: a step (and why), stamped with the channel and the time by its channel. */
export type LifecycleReport = (step: LifecycleStep, detail?: string) => void;

/** A report for `channel`'s adapters, stamping each step with `now()`. */
export function lifecycleReport(channel: ChannelName, listener: LifecycleListener, now: () => number): LifecycleReport {
  if (listener === IGNORE_LIFECYCLE) return () => {};
  return (step, detail) => listener({ channel, step, atMs: now(), ...(detail !== undefined ? { detail } : {}) });
}
