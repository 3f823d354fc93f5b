// The client session's states and the moves between them, in one place.
// The session is what the server knows us by (player id, session token,
// room); the channels under it (stream-channel.ts, datagram-channel.ts) have
// states of their own and come and go while the session lives on.

export type SessionState =
  /** Saying hello for the first time (or after a page reload, with a session to resume): no welcome yet. */
  | 'connecting'
  /** Welcomed on the current stream socket: we play. */
  | 'joined'
  /** Had a welcome, lost the stream: reconnecting to resume the session (the server keeps it a while). */
  | 'resuming'
  /** A server sent us to the process hosting our room: the next hello goes there, with the seat held for us. */
  | 'redirecting'
  /** The server announced its shutdown: reconnecting until it (or a successor) welcomes us again. */
  | 'shut down'
  /** Closed for good: we left, were refused, or refused a redirect. Nothing follows. */
  | 'gone';

/** Every state's next states. A move not listed here is a bug, and NetClient does not make it. */
export const SESSION_TRANSITIONS: Readonly<Record<SessionState, readonly SessionState[]>> = {
  connecting: ['joined', 'redirecting', 'shut down', 'gone'],
  joined: ['resuming', 'redirecting', 'shut down', 'gone'],
  // A welcome that does not resume (the server forgot us) still ends here in `joined`: a fresh start.
  resuming: ['joined', 'redirecting', 'shut down', 'gone'],
  // Another redirect is allowed up to MAX_REDIRECTS_WITHOUT_WELCOME.
  redirecting: ['joined', 'redirecting', 'shut down', 'gone'],
  // A dropped stream after a shutdown stays `shut down`: the reason is still what the page shows.
  'shut down': ['joined', 'redirecting', 'gone'],
  gone: [],
};

export function canMove(from: SessionState, to: SessionState): boolean {
  return SESSION_TRANSITIONS[from].includes(to);
}
