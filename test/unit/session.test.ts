// The client session (game-client/net/session.ts) on its own, no sockets:
// the hello it says, what a welcome makes of it (a fresh start only when
// the server forgot a session we had), which redirects it follows, and
// which events are new, history, or seen already.
import { describe, expect, it } from 'vitest';
import { ERROR_BAD_REDIRECT, MAX_REDIRECTS_WITHOUT_WELCOME } from '../../protocol/constants.ts';
import type { GameEvent, Redirect } from '../../protocol/wire/stream.ts';
import { Session } from '../../game-client/net/session.ts';
import { welcomeWith as welcome } from '../welcome.ts';

const chat = (seq: number): GameEvent => ({ type: 'chat', seq, playerId: 2, name: 'bob', text: `line ${seq}`, serverTimeMs: 0 });
const redirect = (url: string): Redirect => ({ type: 'redirect', url, room: 'blue', reservation: 'seat-0123456789abcdef' });

describe('Session', () => {
  it('says hello with the room asked for, then resumes its session after a welcome', () => {
    const session = new Session({ url: 'http://a.test', name: 'alice', room: 'red' });
    expect(session.hello()).toEqual({ type: 'hello', name: 'alice', room: 'red' });
    expect(session.welcome(welcome())).toBe(false);
    expect(session.state).toBe('joined');
    expect(session.hello()).toEqual({ type: 'hello', name: 'alice', room: 'arena-1', resume: { sessionToken: 'session-token-0123456789', lastSeq: 10 } });
  });

  it('calls a welcome that does not resume a session we had a fresh start', () => {
    const session = new Session({ url: 'http://a.test', name: 'alice' });
    session.welcome(welcome());
    session.streamLost();
    expect(session.state).toBe('resuming');
    expect(session.welcome(welcome({ resumed: true }))).toBe(false);
    session.streamLost();
    expect(session.welcome(welcome({ resumed: false }))).toBe(true);
  });

  it('keeps the shutdown reason until the next welcome, through a dropped stream', () => {
    const session = new Session({ url: 'http://a.test', name: 'alice' });
    session.welcome(welcome());
    session.shutdown('restarting');
    session.streamLost();
    expect(session.state).toBe('shut down');
    expect(session.shutdownReason).toBe('restarting');
    session.welcome(welcome());
    expect(session.shutdownReason).toBeNull();
  });

  it('follows a redirect with the seat held, but not from https down to http, nor for ever', () => {
    const session = new Session({ url: 'http://a.test', name: 'alice' });
    expect(session.redirect(redirect('http://b.test'))).toEqual({ ok: true, target: 'http://b.test' });
    expect(session.state).toBe('redirecting');
    expect(session.hello()).toMatchObject({ room: 'blue', reservation: 'seat-0123456789abcdef' });
    for (let i = 1; i < MAX_REDIRECTS_WITHOUT_WELCOME; i++) expect(session.redirect(redirect('http://c.test')).ok).toBe(true);
    expect(session.redirect(redirect('http://d.test'))).toMatchObject({ ok: false, refusal: { code: ERROR_BAD_REDIRECT } });

    const secure = new Session({ url: 'https://a.test', name: 'alice' });
    expect(secure.redirect(redirect('http://b.test')).ok).toBe(false);
  });

  it('passes each event once, and calls those up to the welcome history', () => {
    const session = new Session({ url: 'http://a.test', name: 'alice', resume: { sessionToken: 'session-token-0123456789', lastSeq: 8 } });
    session.welcome(welcome({ resumed: true, lastSeq: 10 }));
    expect(session.event(chat(9))).toEqual({ replayed: true });
    expect(session.event(chat(9))).toBeNull();
    expect(session.event(chat(11))).toEqual({ replayed: false });
    expect(session.lastSeq).toBe(11);
  });

  it('is gone for good once ended', () => {
    const session = new Session({ url: 'http://a.test', name: 'alice' });
    session.end();
    session.welcome(welcome());
    expect(session.state).toBe('gone');
  });
});
