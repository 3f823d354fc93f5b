// Sessions (resume after a dropped stream) and single-use datagram tokens.
// All times are passed in.
import { describe, expect, it } from 'vitest';
import { SessionStore, type Session } from '../../game-server/rooms/sessions.ts';
import { DATAGRAM_TOKEN_TTL_MS, SESSION_RESUME_WINDOW_MS, WORLD_ENTITY_ID_BASE } from '../../protocol/constants.ts';

/** The token format the stream schemas accept (protocol/wire/stream.ts). */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * A store as a room holds it. `room.players` plays Room.players, the one map
 * of players by id: the room fills it as a session is created and empties it
 * as the session is forgotten; the store reads it for the ids in use.
 */
function roomStore() {
  const players = new Map<number, Session>();
  const store = new SessionStore(players);
  const room = {
    players,
    create(name: string): Session | null {
      const session = store.create(name);
      if (session) players.set(session.playerId, session);
      return session;
    },
    forget(session: Session): void {
      players.delete(session.playerId);
      store.delete(session);
    },
  };
  return { store, room };
}

describe('SessionStore sessions', () => {
  it('gives players ids 1, 2, 3 … with a fresh score', () => {
    const { store, room } = roomStore();
    const [a, b, c] = ['a', 'b', 'c'].map((name) => room.create(name)!);
    expect([a!.playerId, b!.playerId, c!.playerId]).toEqual([1, 2, 3]);
    expect(a).toMatchObject({ name: 'a', score: 0, disconnectedAtMs: null });
    expect(store.size).toBe(3);
  });

  it('issues distinct session tokens the stream schema accepts', () => {
    const { room } = roomStore();
    const tokens = Array.from({ length: 50 }, () => room.create('p')!.token);
    for (const token of tokens) expect(token).toMatch(TOKEN_FORMAT);
    expect(new Set(tokens).size).toBe(50);
  });

  it('finds a session by its token and by its player id', () => {
    const { store, room } = roomStore();
    room.create('a')!;
    const b = room.create('b')!;
    expect(store.findByToken(b.token)).toBe(b);
    expect(room.players.get(b.playerId)).toBe(b);
    expect(store.findByToken('not-a-token-at-all-000')).toBeUndefined();
    expect(room.players.get(99)).toBeUndefined();
  });

  it('does not reuse a freed id straight away', () => {
    const { room } = roomStore();
    room.create('a')!;
    const b = room.create('b')!;
    room.create('c')!;
    room.forget(b);
    expect(room.create('d')!.playerId).toBe(4);
  });

  it('wraps ids below WORLD_ENTITY_ID_BASE back to 1, skipping ids in use', () => {
    const { room } = roomStore();
    const sessions = Array.from({ length: WORLD_ENTITY_ID_BASE - 1 }, () => room.create('p')!);
    expect(sessions.at(-1)!.playerId).toBe(WORLD_ENTITY_ID_BASE - 1);
    room.forget(sessions[2]!); // id 3
    room.forget(sessions[4]!); // id 5
    expect(room.create('q')!.playerId).toBe(3);
    expect(room.create('r')!.playerId).toBe(5);
  });

  it('forgets a deleted session: its token no longer resumes', () => {
    const { store, room } = roomStore();
    const a = room.create('a')!;
    room.forget(a);
    expect(store.findByToken(a.token)).toBeUndefined();
    expect(room.players.get(a.playerId)).toBeUndefined();
    expect(store.size).toBe(0);
  });
});

describe('SessionStore datagram tokens', () => {
  it('binds a datagram token to its player once', () => {
    const { store, room } = roomStore();
    const a = room.create('a')!;
    const token = store.issueDatagramToken(a.playerId, 1000);
    expect(token).toMatch(TOKEN_FORMAT);
    expect(token).not.toBe(a.token);
    expect(store.consumeDatagramToken(token, 1000)).toEqual({ ok: true, value: a.playerId });
    expect(store.consumeDatagramToken(token, 1000)).toEqual({ ok: false, error: 'auth-unknown' });
  });

  it('refuses a token it never issued', () => {
    expect(roomStore().store.consumeDatagramToken('A'.repeat(32), 0)).toEqual({ ok: false, error: 'auth-unknown' });
  });

  it(`accepts a token up to DATAGRAM_TOKEN_TTL_MS (${DATAGRAM_TOKEN_TTL_MS} ms) after issue`, () => {
    const { store, room } = roomStore();
    const a = room.create('a')!;
    const token = store.issueDatagramToken(a.playerId, 1000);
    expect(store.consumeDatagramToken(token, 1000 + DATAGRAM_TOKEN_TTL_MS)).toEqual({ ok: true, value: a.playerId });
  });

  it('refuses an expired token, and it stays used up', () => {
    const { store, room } = roomStore();
    const a = room.create('a')!;
    const token = store.issueDatagramToken(a.playerId, 1000);
    expect(store.consumeDatagramToken(token, 1001 + DATAGRAM_TOKEN_TTL_MS)).toEqual({ ok: false, error: 'auth-expired' });
    expect(store.consumeDatagramToken(token, 1000)).toEqual({ ok: false, error: 'auth-unknown' });
  });

  it('invalidates every datagram token of a deleted session, and only those', () => {
    const { store, room } = roomStore();
    const a = room.create('a')!;
    const b = room.create('b')!;
    const first = store.issueDatagramToken(a.playerId, 0);
    const second = store.issueDatagramToken(a.playerId, 0);
    const bobs = store.issueDatagramToken(b.playerId, 0);
    room.forget(a);
    expect(store.consumeDatagramToken(first, 0)).toEqual({ ok: false, error: 'auth-unknown' });
    expect(store.consumeDatagramToken(second, 0)).toEqual({ ok: false, error: 'auth-unknown' });
    expect(store.consumeDatagramToken(bobs, 0)).toEqual({ ok: true, value: b.playerId });
  });

  it('refuses a token issued for a player that has no session', () => {
    const { store } = roomStore();
    const token = store.issueDatagramToken(42, 0);
    expect(store.consumeDatagramToken(token, 0)).toEqual({ ok: false, error: 'auth-expired' });
  });
});

describe('SessionStore.sweep', () => {
  it('keeps connected sessions however much time passes', () => {
    const { store, room } = roomStore();
    room.create('a')!;
    expect(store.sweep(10 * SESSION_RESUME_WINDOW_MS)).toEqual([]);
    expect(store.size).toBe(1);
  });

  it(`removes a session disconnected longer than SESSION_RESUME_WINDOW_MS (${SESSION_RESUME_WINDOW_MS} ms)`, () => {
    const { store, room } = roomStore();
    const gone = room.create('gone')!;
    const back = room.create('back')!;
    gone.disconnectedAtMs = 5000;
    back.disconnectedAtMs = 6000;

    expect(store.sweep(5000 + SESSION_RESUME_WINDOW_MS)).toEqual([]); // exactly at the edge: still resumable
    expect(store.sweep(5001 + SESSION_RESUME_WINDOW_MS)).toEqual([gone]);
    expect(store.findByToken(gone.token)).toBeUndefined();
    expect(store.findByToken(back.token)).toBe(back);
    expect(store.size).toBe(1);
  });

  it('invalidates the datagram tokens of a swept session', () => {
    const { store, room } = roomStore();
    const a = room.create('a')!;
    a.disconnectedAtMs = 0;
    const token = store.issueDatagramToken(a.playerId, SESSION_RESUME_WINDOW_MS);
    store.sweep(SESSION_RESUME_WINDOW_MS + 1);
    expect(store.consumeDatagramToken(token, SESSION_RESUME_WINDOW_MS + 1)).toEqual({ ok: false, error: 'auth-unknown' });
  });

  it('drops expired datagram tokens of live sessions', () => {
    const { store, room } = roomStore();
    const a = room.create('a')!;
    const stale = store.issueDatagramToken(a.playerId, 0);
    const fresh = store.issueDatagramToken(a.playerId, 10_000);
    store.sweep(DATAGRAM_TOKEN_TTL_MS + 1);
    // Consumed "in the past", the swept token would have been valid; it is gone instead.
    expect(store.consumeDatagramToken(stale, 0)).toEqual({ ok: false, error: 'auth-unknown' });
    expect(store.consumeDatagramToken(fresh, DATAGRAM_TOKEN_TTL_MS + 1)).toEqual({ ok: true, value: a.playerId });
  });
});
