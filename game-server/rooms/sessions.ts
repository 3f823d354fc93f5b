// Sessions and datagram tokens: the room's index of secrets.
//
// A session is what survives a dropped stream: player id, name and score,
// found again by its secret session token. A datagram token is a second,
// short-lived, single-use secret that lets one WebRTC channel bind to the
// player: the stream hands it out, geckos' authorization hook consumes it.
// The store finds sessions by token only; by player id, the room's players
// (Room.players, the one map by id) are where to look.
import { randomBytes } from 'node:crypto';
import {
  DATAGRAM_TOKEN_BYTES,
  DATAGRAM_TOKEN_TTL_MS,
  DROP_AUTH_EXPIRED,
  DROP_AUTH_UNKNOWN,
  SESSION_RESUME_WINDOW_MS,
  SESSION_TOKEN_BYTES,
  WORLD_ENTITY_ID_BASE,
} from '../../protocol/constants.ts';
import { failed, ok, type Result } from '../../protocol/result.ts';

export interface Session {
  playerId: number;
  name: string;
  score: number;
  token: string;
  /** When the stream closed; null while connected. The session expires SESSION_RESUME_WINDOW_MS later. */
  disconnectedAtMs: number | null;
}

/** A datagram token's check: the player it names, or why it names nobody. */
export type DatagramTokenCheck = Result<number, typeof DROP_AUTH_UNKNOWN | typeof DROP_AUTH_EXPIRED>;

/** The player ids that have a session now: the room's players by id, from a session's creation until its deletion. */
export interface PlayerIdsInUse {
  has(playerId: number): boolean;
}

const newToken = (bytes: number) => randomBytes(bytes).toString('base64url');

export class SessionStore {
  private readonly byToken = new Map<string, Session>();
  private readonly datagramTokens = new Map<string, { playerId: number; expiresAtMs: number }>();
  /** Each player has at most one live datagram token: a new one revokes the old. */
  private readonly tokenByPlayer = new Map<number, string>();
  private nextPlayerId = 1;

  constructor(private readonly idsInUse: PlayerIdsInUse) {}

  get size(): number {
    return this.byToken.size;
  }

  /** Opens a session for a new player, with the next free id (its player takes it at once); null when every player id is taken. */
  create(name: string): Session | null {
    if (this.byToken.size >= WORLD_ENTITY_ID_BASE - 1) return null;
    let id = this.nextPlayerId;
    while (this.idsInUse.has(id)) id = id + 1 >= WORLD_ENTITY_ID_BASE ? 1 : id + 1;
    this.nextPlayerId = id + 1 >= WORLD_ENTITY_ID_BASE ? 1 : id + 1;
    const session: Session = { playerId: id, name, score: 0, token: newToken(SESSION_TOKEN_BYTES), disconnectedAtMs: null };
    this.byToken.set(session.token, session);
    return session;
  }

  /** The session whose stream has been closed longest (null if every session is connected). */
  longestDisconnected(): Session | null {
    let oldest: Session | null = null;
    for (const session of this.byToken.values()) {
      if (session.disconnectedAtMs === null) continue;
      if (!oldest || session.disconnectedAtMs < oldest.disconnectedAtMs!) oldest = session;
    }
    return oldest;
  }

  findByToken(token: string): Session | undefined {
    return this.byToken.get(token);
  }

  /** Ends a session for good: its token no longer resumes, its datagram tokens no longer bind. */
  delete(session: Session): void {
    this.byToken.delete(session.token);
    this.revokeDatagramToken(session.playerId);
  }

  /** Issues a single-use datagram token for a player; it expires DATAGRAM_TOKEN_TTL_MS after `nowMs`. */
  issueDatagramToken(playerId: number, nowMs: number): string {
    this.revokeDatagramToken(playerId);
    const token = newToken(DATAGRAM_TOKEN_BYTES);
    this.datagramTokens.set(token, { playerId, expiresAtMs: nowMs + DATAGRAM_TOKEN_TTL_MS });
    this.tokenByPlayer.set(playerId, token);
    return token;
  }

  private revokeDatagramToken(playerId: number): void {
    const token = this.tokenByPlayer.get(playerId);
    if (token !== undefined) this.datagramTokens.delete(token);
    this.tokenByPlayer.delete(playerId);
  }

  /** Checks and consumes a datagram token: a second use of the same token fails. */
  consumeDatagramToken(token: string, nowMs: number): DatagramTokenCheck {
    const entry = this.datagramTokens.get(token);
    if (!entry) return failed(DROP_AUTH_UNKNOWN);
    this.revokeDatagramToken(entry.playerId);
    if (nowMs > entry.expiresAtMs || !this.idsInUse.has(entry.playerId)) return failed(DROP_AUTH_EXPIRED);
    return ok(entry.playerId);
  }

  /** Deletes sessions disconnected longer than the resume window and expired datagram tokens; returns the sessions removed. */
  sweep(nowMs: number): Session[] {
    const expired: Session[] = [];
    for (const session of this.byToken.values()) {
      if (session.disconnectedAtMs !== null && nowMs - session.disconnectedAtMs > SESSION_RESUME_WINDOW_MS) {
        expired.push(session);
      }
    }
    for (const session of expired) this.delete(session);
    for (const entry of this.datagramTokens.values()) {
      if (nowMs > entry.expiresAtMs) this.revokeDatagramToken(entry.playerId);
    }
    return expired;
  }
}
