// The client's session: what the server knows us by (player id, session
// token, room, the newest event we saw) and where it is (session-state.ts),
// apart from the channels that carry it. NetClient feeds it what the stream
// brings (welcome, redirect, shutdown, events) and acts on its answers:
// which hello to say, whether a welcome was a fresh start, where a redirect
// goes. Pure: no sockets, no timers.
import { ERROR_BAD_REDIRECT, MAX_REDIRECTS_WITHOUT_WELCOME } from '../../protocol/constants.ts';
import { serverOrigin } from '../../protocol/wire/server-url.ts';
import type { ClientMessage, ErrorMessage, GameConfig, GameEvent, Redirect, Welcome } from '../../protocol/wire/stream.ts';
import { canMove, type SessionState } from './session-state.ts';

export interface SessionStart {
  /** The server's HTTP origin we were given. */
  url: string;
  name: string;
  /** The room to join (created if new); absent means quick play, the server's choice. */
  room?: string;
  /** A session to resume (after a page reload). */
  resume?: { sessionToken: string; lastSeq: number };
}

export class Session {
  playerId = 0;
  name: string;
  sessionToken = '';
  config: GameConfig | null = null;
  /** The server we play on: the one we were given, or the one a redirect sent us to. */
  serverUrl: string;
  /** The room we play in (its name and capacity), from the newest welcome. */
  room: Welcome['room'] | null = null;
  /** Newest reliable event sequence seen; sent when resuming. */
  lastSeq = 0;
  private current: SessionState = 'connecting';
  private resume: { sessionToken: string; lastSeq: number } | undefined;
  /** The room asked for, then the one we were seated in: a reconnect goes back to it. */
  private roomName: string | undefined;
  /** Redirects followed since the last welcome (see MAX_REDIRECTS_WITHOUT_WELCOME). */
  private redirectsWithoutWelcome = 0;
  /** A seat held for us on the server a redirect sent us to; said in the next hello, then spent. */
  private reservation: string | undefined;
  /** Events up to this sequence were already in the newest welcome's state: what follows up to it is history. */
  private historyUntilSeq = 0;
  /** What the server said when it announced its shutdown (the `shut down` state's reason). */
  private shutdownAnnounced = '';

  constructor(start: SessionStart) {
    this.name = start.name;
    this.serverUrl = start.url;
    this.roomName = start.room;
    this.resume = start.resume;
  }

  /** Where the session is (session-state.ts). */
  get state(): SessionState {
    return this.current;
  }

  /** The reason the server gave when it announced its shutdown, while we wait for it to welcome us again; else null. */
  get shutdownReason(): string | null {
    return this.current === 'shut down' ? this.shutdownAnnounced : null;
  }

  /** What we say on every new stream socket: our name, the room, a held seat, a session to resume. */
  hello(): ClientMessage {
    return {
      type: 'hello',
      name: this.name,
      ...(this.roomName !== undefined ? { room: this.roomName } : {}),
      ...(this.reservation !== undefined ? { reservation: this.reservation } : {}),
      ...(this.resume ? { resume: this.resume } : {}),
    };
  }

  /**
   * Takes a welcome in. Returns true for a fresh start: we had a session
   * (a session token) and the server did not know it (it restarted, or the
   * session expired), so everything tied to the old server is gone.
   */
  welcome(welcome: Welcome): boolean {
    this.redirectsWithoutWelcome = 0;
    const resumed = welcome.resumed;
    const freshStart = this.sessionToken !== '' && !resumed;
    this.move('joined');
    this.playerId = welcome.playerId;
    this.name = welcome.name;
    this.sessionToken = welcome.sessionToken;
    this.config = welcome.config;
    this.roomName = welcome.room.name;
    this.reservation = undefined;
    this.room = welcome.room;
    // Events up to welcome.lastSeq are already in welcome's state; on a resume
    // the server follows with those we missed, which we show as history.
    if (!resumed) this.lastSeq = welcome.lastSeq;
    this.historyUntilSeq = welcome.lastSeq;
    this.resume = { sessionToken: welcome.sessionToken, lastSeq: this.lastSeq };
    return freshStart;
  }

  /**
   * Our room is hosted by another server process: returns the origin the
   * next socket goes to (the next hello says the seat held for us there), or
   * the refusal to report. A session to resume goes along: sessions live in
   * their room, and that is where we are going (a page reloaded on another
   * process's address).
   */
  redirect(redirect: Redirect): { ok: true; target: string } | { ok: false; refusal: ErrorMessage } {
    // Only to a bare http(s) origin (the schema checks it too), and never from
    // https down to http: the session token goes along, and must not leave the
    // cluster's own servers or travel in the clear. The servers check that the
    // target is a registered member of the cluster before they send one.
    const target = serverOrigin(redirect.url);
    // Servers that keep sending us on (a loop between two that disagree) are not followed for ever.
    const tooMany = ++this.redirectsWithoutWelcome > MAX_REDIRECTS_WITHOUT_WELCOME;
    if (!target || tooMany || (this.serverUrl.startsWith('https:') && !target.startsWith('https:'))) {
      return { ok: false, refusal: { type: 'error', code: ERROR_BAD_REDIRECT, message: `refused a redirect to ${redirect.url}` } };
    }
    this.move('redirecting');
    this.roomName = redirect.room;
    this.reservation = redirect.reservation;
    this.serverUrl = target;
    return { ok: true, target };
  }

  /** The server announced its shutdown. */
  shutdown(reason: string): void {
    this.shutdownAnnounced = reason;
    this.move('shut down');
  }

  /** The stream dropped: a joined session now waits to resume. */
  streamLost(): void {
    if (this.current === 'joined') this.move('resuming');
  }

  /** Closed for good. */
  end(): void {
    this.move('gone');
  }

  /** Takes a reliable event in: whether it is history (missed while away), or null when already seen (a replay overlap). */
  event(event: GameEvent): { replayed: boolean } | null {
    if (event.seq <= this.lastSeq) return null;
    this.lastSeq = event.seq;
    if (this.resume) this.resume.lastSeq = event.seq;
    return { replayed: event.seq <= this.historyUntilSeq };
  }

  /** Moves to `next` if session-state.ts allows it (`gone` is final: a message still in flight changes nothing). */
  private move(next: SessionState) {
    if (canMove(this.current, next)) this.current = next;
  }
}
