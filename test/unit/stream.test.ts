// Stream (JSON) messages: every valid client and server message parses, every
// malformed one becomes { ok: false } with a code and a reason, and nothing
// ever throws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_BAD_JSON, ERROR_INVALID_MESSAGE, MAX_CHAT_CHARS, MAX_NAME_CHARS } from '../../protocol/constants.ts';
import { checkName, nameLength, parseClientMessage, parseServerMessage } from '../../protocol/wire/stream.ts';

const TOKEN = 'a1B2c3D4e5F6g7H8i9J0k_L-m3N4o5P6'; // 32 base64url characters
const OTHER_TOKEN = 'Zz9_Yy8-Xx7_Ww6-Vv5_Uu4-';

type Parse = typeof parseClientMessage | typeof parseServerMessage;

/** Asserts `text` is refused with `code`, a non-empty reason, and (optionally) a reason naming `field`. */
function expectRefused(parse: Parse, text: string, code: string, field?: string) {
  const result = parse(text);
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error).toBe(code);
  expect(result.message?.length).toBeGreaterThan(0);
  if (field) expect(result.message?.slice(0, field.length + 2)).toBe(`${field}: `);
}

const refusedMessage = (parse: Parse, value: unknown, field?: string) => expectRefused(parse, JSON.stringify(value), ERROR_INVALID_MESSAGE, field);

describe('parseClientMessage: valid messages', () => {
  it.each([
    ['hello', { type: 'hello', name: 'alice' }],
    ['hello with resume', { type: 'hello', name: 'alice', resume: { sessionToken: TOKEN, lastSeq: 0 } }],
    ['chat', { type: 'chat', text: 'gg' }],
    ['ping', { type: 'ping', id: 0, clientTimeMs: 1234.5 }],
    ['datagram-token', { type: 'datagram-token' }],
    ['settings', { type: 'settings', path: 'compare' }],
    ['settings with a network', { type: 'settings', conditions: { lossPct: 20, latencyMs: 50, jitterMs: 10, duplicatePct: 0 } }],
    ['leave', { type: 'leave' }],
  ])('accepts a %s message', (_name, message) => {
    expect(parseClientMessage(JSON.stringify(message))).toEqual({ ok: true, value: message });
  });

  it('accepts a name of exactly MAX_NAME_CHARS and a chat line of exactly MAX_CHAT_CHARS', () => {
    expect(parseClientMessage(JSON.stringify({ type: 'hello', name: 'n'.repeat(MAX_NAME_CHARS) })).ok).toBe(true);
    expect(parseClientMessage(JSON.stringify({ type: 'chat', text: 't'.repeat(MAX_CHAT_CHARS) })).ok).toBe(true);
  });

  it('trims spaces around a name', () => {
    expect(parseClientMessage(JSON.stringify({ type: 'hello', name: '  bob  ' }))).toEqual({
      ok: true,
      value: { type: 'hello', name: 'bob' },
    });
  });

  it('accepts HTML in chat as plain text, unchanged (validation is not escaping)', () => {
    const text = '<img src=x onerror="alert(1)"> & <b>hi</b>';
    expect(parseClientMessage(JSON.stringify({ type: 'chat', text }))).toEqual({ ok: true, value: { type: 'chat', text } });
  });

  it('accepts non-ASCII printable text', () => {
    expect(parseClientMessage(JSON.stringify({ type: 'chat', text: 'héllo, 世界 🎮' })).ok).toBe(true);
  });

  it('accepts an astral character (a whole surrogate pair) in a name and in chat', () => {
    expect(parseClientMessage(JSON.stringify({ type: 'hello', name: 'ann 😀' }))).toEqual({
      ok: true,
      value: { type: 'hello', name: 'ann 😀' },
    });
    expect(parseClientMessage('{"type":"chat","text":"\\ud83d\\ude00"}')).toEqual({ ok: true, value: { type: 'chat', text: '😀' } });
  });
});

describe('parseClientMessage: text that is not a JSON object', () => {
  it.each([
    ['non-JSON text', 'hello'],
    ['truncated JSON', '{"type":"leave"'],
    ['an empty frame', ''],
  ])('refuses %s as bad-json', (_name, text) => {
    expectRefused(parseClientMessage, text, ERROR_BAD_JSON);
  });

  it.each([
    ['JSON null', 'null'],
    ['a JSON array', '[{"type":"leave"}]'],
    ['a JSON number', '42'],
    ['a JSON string', '"leave"'],
    ['an object with no type', '{}'],
    ['an unknown type', '{"type":"teleport"}'],
    ['a type that is not a string', '{"type":1}'],
  ])('refuses %s as invalid-message', (_name, text) => {
    expectRefused(parseClientMessage, text, ERROR_INVALID_MESSAGE);
  });
});

describe('parseClientMessage: malformed hello', () => {
  const hello = (fields: Record<string, unknown>) => ({ type: 'hello', name: 'alice', ...fields });

  it('rejects a hello with no name', () => refusedMessage(parseClientMessage, { type: 'hello' }, 'name'));
  it('rejects a hello whose name is not a string', () => refusedMessage(parseClientMessage, hello({ name: 5 }), 'name'));
  it('rejects a hello with an empty name', () => refusedMessage(parseClientMessage, hello({ name: '' }), 'name'));
  it('rejects a hello whose name is only whitespace', () => refusedMessage(parseClientMessage, hello({ name: ' \t  ' }), 'name'));
  it('rejects a hello with a name longer than MAX_NAME_CHARS', () =>
    refusedMessage(parseClientMessage, hello({ name: 'n'.repeat(MAX_NAME_CHARS + 1) }), 'name'));
  it('rejects a hello with a control character in the name', () => {
    refusedMessage(parseClientMessage, hello({ name: 'ali\nce' }), 'name');
    refusedMessage(parseClientMessage, hello({ name: 'ali\u0000ce' }), 'name');
    refusedMessage(parseClientMessage, hello({ name: 'ali\u007fce' }), 'name');
  });
  it('rejects a hello with a bidi override in the name', () => refusedMessage(parseClientMessage, hello({ name: 'ali\u202ece' }), 'name'));
  // JSON escapes can carry half a UTF-16 pair, which is not text (sent on as UTF-8 it becomes U+FFFD).
  it('rejects a hello whose name has a lone high surrogate', () => refusedMessage(parseClientMessage, hello({ name: 'ali\uD800ce' }), 'name'));
  it('rejects a hello with an extra field', () => refusedMessage(parseClientMessage, hello({ admin: true })));
  it('rejects a resume with a token that is too short', () =>
    refusedMessage(parseClientMessage, hello({ resume: { sessionToken: 'abc', lastSeq: 0 } }), 'resume.sessionToken'));
  it('rejects a resume with a standard-base64 token (+ and /, not base64url)', () =>
    refusedMessage(parseClientMessage, hello({ resume: { sessionToken: `${TOKEN.slice(0, 20)}+/+/`, lastSeq: 0 } }), 'resume.sessionToken'));
  it('rejects a resume with a token that has a space or punctuation in it', () => {
    refusedMessage(parseClientMessage, hello({ resume: { sessionToken: `${TOKEN.slice(0, 20)} abc`, lastSeq: 0 } }), 'resume.sessionToken');
    refusedMessage(parseClientMessage, hello({ resume: { sessionToken: `${TOKEN.slice(0, 20)}!abc`, lastSeq: 0 } }), 'resume.sessionToken');
  });
  it('rejects a resume with a token longer than 64 characters', () =>
    refusedMessage(parseClientMessage, hello({ resume: { sessionToken: 'a'.repeat(65), lastSeq: 0 } }), 'resume.sessionToken'));
  it('rejects a resume with a negative lastSeq', () =>
    refusedMessage(parseClientMessage, hello({ resume: { sessionToken: TOKEN, lastSeq: -1 } }), 'resume.lastSeq'));
  it('rejects a resume with a fractional lastSeq', () =>
    refusedMessage(parseClientMessage, hello({ resume: { sessionToken: TOKEN, lastSeq: 1.5 } }), 'resume.lastSeq'));
  it('rejects a resume with no lastSeq', () => refusedMessage(parseClientMessage, hello({ resume: { sessionToken: TOKEN } }), 'resume.lastSeq'));
  it('rejects a resume with an extra field', () =>
    refusedMessage(parseClientMessage, hello({ resume: { sessionToken: TOKEN, lastSeq: 0, playerId: 1 } }), 'resume'));
});

describe('parseClientMessage: malformed chat', () => {
  it('rejects a chat with no text', () => refusedMessage(parseClientMessage, { type: 'chat' }, 'text'));
  it('rejects a chat whose text is not a string', () => refusedMessage(parseClientMessage, { type: 'chat', text: ['hi'] }, 'text'));
  it('rejects an empty chat line', () => refusedMessage(parseClientMessage, { type: 'chat', text: '' }, 'text'));
  it('rejects a whitespace-only chat line', () => refusedMessage(parseClientMessage, { type: 'chat', text: '   ' }, 'text'));
  it('rejects a chat line longer than MAX_CHAT_CHARS', () =>
    refusedMessage(parseClientMessage, { type: 'chat', text: 't'.repeat(MAX_CHAT_CHARS + 1) }, 'text'));
  it('rejects a chat line with a control character inside it', () => {
    refusedMessage(parseClientMessage, { type: 'chat', text: 'line one\nline two' }, 'text');
    refusedMessage(parseClientMessage, { type: 'chat', text: 'bell\u0007' + '!' }, 'text');
  });
  // U+2028 / U+2029 are mandatory line breaks: one line must not pose as several.
  it('rejects a chat line with a Unicode line or paragraph separator', () => {
    refusedMessage(parseClientMessage, { type: 'chat', text: 'gg\u2028alice: my password is…' }, 'text');
    refusedMessage(parseClientMessage, { type: 'chat', text: 'gg\u2029bob: me too' }, 'text');
  });
  it('rejects a chat line with a lone low surrogate', () => refusedMessage(parseClientMessage, { type: 'chat', text: 'gg \uDC00' }, 'text'));
  it('rejects a chat line whose surrogate pair is reversed', () => refusedMessage(parseClientMessage, { type: 'chat', text: '\uDE00\uD83D' }, 'text'));
  it('rejects a chat line with an extra field', () => refusedMessage(parseClientMessage, { type: 'chat', text: 'hi', playerId: 3 }));
});

describe('parseClientMessage: malformed ping, datagram-token, settings, leave', () => {
  it('rejects a ping with no id', () => refusedMessage(parseClientMessage, { type: 'ping', clientTimeMs: 1 }, 'id'));
  it('rejects a ping with a negative id', () => refusedMessage(parseClientMessage, { type: 'ping', id: -1, clientTimeMs: 1 }, 'id'));
  it('rejects a ping with a fractional id', () => refusedMessage(parseClientMessage, { type: 'ping', id: 0.5, clientTimeMs: 1 }, 'id'));
  it('rejects a ping with a negative clientTimeMs', () => refusedMessage(parseClientMessage, { type: 'ping', id: 1, clientTimeMs: -1 }, 'clientTimeMs'));
  it('rejects a ping whose clientTimeMs is a string', () => refusedMessage(parseClientMessage, { type: 'ping', id: 1, clientTimeMs: '5' }, 'clientTimeMs'));
  it('rejects a ping with an extra field', () => refusedMessage(parseClientMessage, { type: 'ping', id: 1, clientTimeMs: 1, serverTimeMs: 2 }));
  it('rejects a datagram-token request with an extra field', () => refusedMessage(parseClientMessage, { type: 'datagram-token', token: TOKEN }));
  it('rejects settings with an unknown path', () => refusedMessage(parseClientMessage, { type: 'settings', path: 'carrier-pigeon' }, 'path'));
  it('rejects settings whose network values are not numbers', () =>
    refusedMessage(parseClientMessage, { type: 'settings', conditions: { lossPct: '20', latencyMs: 0, jitterMs: 0, duplicatePct: 0 } }, 'conditions.lossPct'));
  it('rejects settings with a network value missing', () =>
    refusedMessage(parseClientMessage, { type: 'settings', conditions: { lossPct: 20 } }, 'conditions.latencyMs'));
  it('rejects a leave with an extra field', () => refusedMessage(parseClientMessage, { type: 'leave', reason: 'timeout' }));
});

describe('parseClientMessage never throws', () => {
  const checkOutcome = (text: string) => {
    const result = parseClientMessage(text);
    if (!result.ok) {
      expect([ERROR_BAD_JSON, ERROR_INVALID_MESSAGE]).toContain(result.error);
      expect(result.message).toBeTruthy();
    }
  };

  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), checkOutcome), { numRuns: 1000 });
  });

  it('on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => checkOutcome(JSON.stringify(value) ?? 'null')),
      {
        numRuns: 1000,
      },
    );
  });

  it('on objects that look like client messages', () => {
    const lookalike = fc.record(
      {
        type: fc.constantFrom('hello', 'chat', 'ping', 'datagram-token', 'settings', 'leave', 'welcome'),
        name: fc.oneof(fc.string(), fc.jsonValue()),
        text: fc.oneof(fc.string(), fc.jsonValue()),
        id: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()),
        clientTimeMs: fc.oneof(fc.double(), fc.jsonValue()),
        path: fc.oneof(fc.constantFrom('datagram', 'stream', 'compare'), fc.string()),
        resume: fc.oneof(fc.record({ sessionToken: fc.string(), lastSeq: fc.integer() }), fc.jsonValue()),
      },
      { requiredKeys: ['type'] },
    );
    fc.assert(
      fc.property(lookalike, (value) => checkOutcome(JSON.stringify(value))),
      { numRuns: 1000 },
    );
  });
});

// ── Server → client ──────────────────────────────────────────────────────────

const chatEvent = { type: 'chat', seq: 3, playerId: 2, name: 'bob', text: 'hi', serverTimeMs: 1500 };
const welcome = {
  type: 'welcome',
  playerId: 1,
  name: 'alice',
  sessionToken: TOKEN,
  datagramToken: OTHER_TOKEN,
  resumed: false,
  room: { name: 'arena-1', capacity: 32 },
  lastSeq: 3,
  replayComplete: true,
  inputSeq: 0,
  config: { tickRateHz: 60, snapshotRateHz: 30, arenaWidthPx: 1600, arenaHeightPx: 900 },
  players: [
    { id: 1, name: 'alice', score: 0 },
    { id: 2, name: 'bob', score: 4 },
  ],
  scores: { '1': 0, '2': 4 },
  recentChat: [chatEvent],
};

describe('parseServerMessage: valid messages', () => {
  it.each([
    ['welcome', welcome],
    ['join event', { type: 'join', seq: 1, playerId: 2, name: 'bob', score: 0 }],
    ['leave event', { type: 'leave', seq: 2, playerId: 2, name: 'bob', reason: 'disconnected' }],
    ['chat event', chatEvent],
    ['score event', { type: 'score', seq: 4, playerId: 2, score: 5, delta: 1 }],
    ['pong', { type: 'pong', id: 9, clientTimeMs: 100, serverTimeMs: 250.5 }],
    ['error', { type: 'error', code: 'rate-limited', message: 'slow down' }],
    ['datagram-token', { type: 'datagram-token', token: TOKEN }],
    ['shutdown', { type: 'shutdown', reason: 'restarting' }],
  ])('accepts a %s', (_name, message) => {
    expect(parseServerMessage(JSON.stringify(message))).toEqual({ ok: true, value: message });
  });

  it.each(['left', 'disconnected'])('accepts a leave event with reason %s', (reason) => {
    expect(parseServerMessage(JSON.stringify({ type: 'leave', seq: 1, playerId: 1, name: 'ann', reason })).ok).toBe(true);
  });
});

describe('parseServerMessage: malformed messages', () => {
  it('refuses non-JSON text as bad-json', () => expectRefused(parseServerMessage, '<html>', ERROR_BAD_JSON));
  it('rejects an unknown type', () => refusedMessage(parseServerMessage, { type: 'hello', name: 'x' }, 'type'));
  it('rejects a welcome with no config', () => {
    const { config: _config, ...rest } = welcome;
    refusedMessage(parseServerMessage, rest, 'config');
  });
  it('rejects a welcome with a malformed session token', () => refusedMessage(parseServerMessage, { ...welcome, sessionToken: 'short' }, 'sessionToken'));
  it('rejects a welcome with a player id of 0', () => refusedMessage(parseServerMessage, { ...welcome, playerId: 0 }, 'playerId'));
  it('rejects a welcome with a negative inputSeq', () => refusedMessage(parseServerMessage, { ...welcome, inputSeq: -1 }, 'inputSeq'));
  it('rejects a welcome with a non-positive tick rate', () =>
    refusedMessage(parseServerMessage, { ...welcome, config: { ...welcome.config, tickRateHz: 0 } }, 'config.tickRateHz'));
  it('rejects a welcome with a malformed chat line in its history', () =>
    refusedMessage(parseServerMessage, { ...welcome, recentChat: [{ ...chatEvent, seq: 0 }] }, 'recentChat.0.seq'));
  it('rejects a welcome with a fractional score', () => refusedMessage(parseServerMessage, { ...welcome, scores: { '1': 0.5 } }, 'scores.1'));
  it('rejects a welcome with an extra field', () => refusedMessage(parseServerMessage, { ...welcome, admin: true }));
  it('rejects an event with seq 0', () => refusedMessage(parseServerMessage, { type: 'join', seq: 0, playerId: 2, name: 'bob', score: 0 }, 'seq'));
  it('rejects an event with a player id above u16', () =>
    refusedMessage(parseServerMessage, { type: 'join', seq: 1, playerId: 0x10000, name: 'bob', score: 0 }, 'playerId'));
  it('rejects a leave event with an unknown reason', () =>
    refusedMessage(parseServerMessage, { type: 'leave', seq: 1, playerId: 1, name: 'ann', reason: 'bored' }, 'reason'));
  it('rejects a chat event with a negative serverTimeMs', () => refusedMessage(parseServerMessage, { ...chatEvent, serverTimeMs: -1 }, 'serverTimeMs'));
  it('rejects a score event with no delta', () => refusedMessage(parseServerMessage, { type: 'score', seq: 4, playerId: 2, score: 5 }, 'delta'));
  it('rejects a pong with no serverTimeMs', () => refusedMessage(parseServerMessage, { type: 'pong', id: 1, clientTimeMs: 1 }, 'serverTimeMs'));
  it('rejects an error with no message', () => refusedMessage(parseServerMessage, { type: 'error', code: 'x' }, 'message'));
  it('rejects a datagram-token with a malformed token', () =>
    refusedMessage(parseServerMessage, { type: 'datagram-token', token: 'has spaces in it, sixteen+' }, 'token'));
  it('rejects a shutdown with an extra field', () => refusedMessage(parseServerMessage, { type: 'shutdown', reason: 'bye', restartInMs: 100 }));

  it('never throws on arbitrary strings or JSON values', () => {
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.json());
    fc.assert(
      fc.property(text, (t) => {
        const result = parseServerMessage(t);
        if (!result.ok) expect([ERROR_BAD_JSON, ERROR_INVALID_MESSAGE]).toContain(result.error);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('checkName', () => {
  it('accepts a name with an emoji, trimmed', () => {
    expect(checkName('  ann 😀 ')).toEqual({ ok: true, name: 'ann 😀' });
  });

  it('says a name with a lone surrogate contains a broken character', () => {
    expect(checkName('ann\uD800')).toEqual({ ok: false, message: 'A name must be valid text (it contains a broken character).' });
    expect(checkName('\uDC00')).toEqual({ ok: false, message: 'A name must be valid text (it contains a broken character).' });
  });
});

describe('nameLength', () => {
  it('counts characters as the schema does: an emoji is one, not two UTF-16 units', () => {
    const nineEmoji = '😀'.repeat(9);
    expect(nameLength(nineEmoji)).toBe(9);
    expect(checkName(nineEmoji).ok).toBe(true);
    const seventeen = '😀'.repeat(17);
    expect(checkName(seventeen)).toEqual({ ok: false, message: 'A name has at most 16 characters; this one has 17.' });
  });
});
