// The client session's state table (game-client/net/session-state.ts): every
// state can be reached from `connecting`, every state but `gone` can end in
// `gone`, and `gone` is final.
import { describe, expect, it } from 'vitest';
import { canMove, SESSION_TRANSITIONS, type SessionState } from '../../game-client/net/session-state.ts';

const states = Object.keys(SESSION_TRANSITIONS) as SessionState[];

describe('session states', () => {
  it('reaches every state from connecting', () => {
    const reached = new Set<SessionState>(['connecting']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const from of [...reached]) for (const to of SESSION_TRANSITIONS[from]) if (!reached.has(to)) grew = reached.add(to) !== null;
    }
    expect([...reached].sort()).toEqual([...states].sort());
  });

  it('lets every state but gone end in gone, and nothing leave gone', () => {
    for (const state of states) expect(canMove(state, 'gone')).toBe(state !== 'gone');
    expect(SESSION_TRANSITIONS.gone).toEqual([]);
  });

  it('resumes only a session that was joined, and comes back to joined from every live state', () => {
    expect(states.filter((s) => canMove(s, 'resuming'))).toEqual(['joined']);
    expect(states.filter((s) => canMove(s, 'joined')).sort()).toEqual(['connecting', 'redirecting', 'resuming', 'shut down']);
  });
});
