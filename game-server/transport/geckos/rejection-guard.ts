// geckos.io/server 3.0's connection manager reads
// `connection.channel.dataChannel.maxMessageSize()` in an async state-change
// callback; when a peer connection reports "connected" before its data
// channel exists (seen on a starved machine), that throws inside a promise
// nobody awaits. Node ends a process on an unhandled rejection, so one
// unlucky handshake would take every player's game down. This keeps exactly
// that rejection from doing so (logged as a failed handshake: the client
// retries its data channel or falls back to the stream), and leaves every
// other unhandled rejection fatal, as Node's default is.
import { log } from '../../ops/log.ts';

/** True for a rejection raised inside geckos' WebRTC connection manager. */
export function isGeckosHandshakeRace(reason: unknown): boolean {
  return reason instanceof Error && /@geckos\.io[\\/]server[\\/]lib[\\/]wrtc[\\/]connectionsManager/.test(reason.stack ?? '');
}

/** Installs the guard on the process (the server's entry point only; tests see every rejection). */
export function guardGeckosHandshakeRace(): void {
  process.on('unhandledRejection', (reason) => {
    if (isGeckosHandshakeRace(reason)) {
      log.warn({ err: reason }, 'geckos handshake raced its data channel; connection dropped');
      return;
    }
    log.fatal({ err: reason }, 'unhandled rejection');
    process.exit(1);
  });
}
