// The client's roster: who is in the arena with which name and score, from the
// welcome and the reliable events after it. Replayed history is already part
// of the welcome, so it must change nothing.
import { describe, expect, it } from 'vitest';
import type { GameEvent, PlayerInfo } from '../../protocol/wire/stream.ts';
import { Roster } from '../../game-client/play/roster.ts';
import { welcomeListing as welcome } from '../welcome.ts';

const ALICE: PlayerInfo = { id: 1, name: 'alice', score: 3 };
const BOB: PlayerInfo = { id: 2, name: 'bob', score: 5 };

const join = (playerId: number, name: string, score = 0): GameEvent => ({ type: 'join', seq: 11, playerId, name, score });
const leave = (playerId: number): GameEvent => ({ type: 'leave', seq: 12, playerId, name: `player ${playerId}`, reason: 'left' });
const score = (playerId: number, total: number): GameEvent => ({ type: 'score', seq: 13, playerId, score: total, delta: 1 });

/** A roster holding alice (3 points) and bob (5 points). */
function aliceAndBob(): Roster {
  const roster = new Roster();
  roster.applyWelcome(welcome([ALICE, BOB]));
  return roster;
}

describe('Roster.applyWelcome', () => {
  it('lists the welcome players with their names and scores', () => {
    const roster = aliceAndBob();
    expect(roster.get(1)).toEqual(ALICE);
    expect(roster.get(2)).toEqual(BOB);
    expect(roster.ranked()).toHaveLength(2);
  });

  it('replaces the players of an earlier welcome', () => {
    const roster = aliceAndBob();
    roster.applyWelcome(welcome([{ id: 3, name: 'carol', score: 0 }]));
    expect(roster.get(1)).toBeUndefined();
    expect(roster.get(2)).toBeUndefined();
    expect(roster.ranked().map((p) => p.name)).toEqual(['carol']);
  });

  it('keeps its own copy, so later score events leave the welcome message untouched', () => {
    const message = welcome([{ ...ALICE }]);
    const roster = new Roster();
    roster.applyWelcome(message);
    roster.applyEvent(score(1, 99), false);
    expect(message.players[0]!.score).toBe(ALICE.score);
    expect(roster.get(1)?.score).toBe(99);
  });
});

describe('Roster.applyEvent', () => {
  it('adds a joining player with their name and score', () => {
    const roster = aliceAndBob();
    roster.applyEvent(join(7, 'dave', 4), false);
    expect(roster.get(7)).toEqual({ id: 7, name: 'dave', score: 4 });
  });

  it('removes a player who leaves', () => {
    const roster = aliceAndBob();
    roster.applyEvent(leave(1), false);
    expect(roster.get(1)).toBeUndefined();
    expect(roster.ranked().map((p) => p.id)).toEqual([2]);
  });

  it('ignores a leave for a player it does not know', () => {
    const roster = aliceAndBob();
    roster.applyEvent(leave(42), false);
    expect(roster.ranked()).toHaveLength(2);
  });

  it("sets a player's score to the event's total, so applying it twice is harmless", () => {
    const roster = aliceAndBob();
    roster.applyEvent(score(1, 4), false);
    roster.applyEvent(score(1, 4), false);
    expect(roster.get(1)?.score).toBe(4);
  });

  it('does not invent a player from a score event for an unknown id', () => {
    const roster = aliceAndBob();
    roster.applyEvent(score(42, 1), false);
    expect(roster.get(42)).toBeUndefined();
  });

  it('leaves the roster unchanged on a chat event', () => {
    const roster = aliceAndBob();
    roster.applyEvent({ type: 'chat', seq: 14, playerId: 1, name: 'alice', text: 'hi', serverTimeMs: 0 }, false);
    expect(roster.ranked()).toEqual([BOB, ALICE]);
  });

  it('changes nothing for replayed events, which the welcome already counted', () => {
    const roster = aliceAndBob();
    roster.applyEvent(join(7, 'dave', 4), true);
    roster.applyEvent(leave(1), true);
    roster.applyEvent(score(2, 0), true);
    expect(roster.get(7)).toBeUndefined();
    expect(roster.get(1)).toEqual(ALICE);
    expect(roster.get(2)).toEqual(BOB);
  });
});

describe('Roster.ranked', () => {
  it('puts the highest score first', () => {
    expect(
      aliceAndBob()
        .ranked()
        .map((p) => p.name),
    ).toEqual(['bob', 'alice']);
  });

  it('orders equal scores by name, whatever the order they joined in', () => {
    const roster = new Roster();
    roster.applyWelcome(
      welcome([
        { id: 1, name: 'zoe', score: 2 },
        { id: 2, name: 'mia', score: 2 },
        { id: 3, name: 'ann', score: 1 },
        { id: 4, name: 'bea', score: 2 },
      ]),
    );
    expect(roster.ranked().map((p) => p.name)).toEqual(['bea', 'mia', 'zoe', 'ann']);
  });

  it('follows score events', () => {
    const roster = aliceAndBob();
    roster.applyEvent(score(1, 6), false);
    expect(roster.ranked().map((p) => p.name)).toEqual(['alice', 'bob']);
  });
});

describe('Roster.nameOf', () => {
  it("gives a known player's name", () => {
    expect(aliceAndBob().nameOf(2)).toBe('bob');
  });

  it('falls back to "player <id>" for an unknown id', () => {
    expect(aliceAndBob().nameOf(7)).toBe('player 7');
  });

  it('falls back again once the player has left', () => {
    const roster = aliceAndBob();
    roster.applyEvent(leave(1), false);
    expect(roster.nameOf(1)).toBe('player 1');
  });
});
