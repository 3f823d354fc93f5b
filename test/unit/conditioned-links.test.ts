// The server's simulated network for one player is bounded: events piling up
// behind a harsh network resynchronise the player (told why, cut off, to
// resume) instead of growing the server's memory; snapshots are just dropped.
import { describe, expect, it } from 'vitest';
import type { StreamTransport } from '../../game-server/transport/transport.ts';
import { ConditionedStreamLink } from '../../game-server/transport/conditioned-links.ts';
import { createMetrics } from '../../game-server/ops/metrics.ts';
import { CLOSE_BACKLOG_FULL, CONDITION_LIMITS, ERROR_BACKLOG_FULL, MAX_DELAYED_BYTES, MAX_DELAYED_MESSAGES } from '../../protocol/constants.ts';
import { PERFECT_NETWORK } from '../../protocol/netsim/conditioner.ts';
import type { ServerMessage } from '../../protocol/wire/stream.ts';

/** A stream channel that records what reaches it. */
function recordingLink() {
  const sent: ServerMessage[] = [];
  const closed: (number | undefined)[] = [];
  const link: StreamTransport = {
    kind: 'stream',
    connectionId: 'stream-1',
    send: (message) => void sent.push(message),
    sendBinary: () => true,
    close: (code) => void closed.push(code),
  };
  return { link, sent, closed };
}

const HARSHEST = { lossPct: CONDITION_LIMITS.lossPct, latencyMs: CONDITION_LIMITS.latencyMs, jitterMs: CONDITION_LIMITS.jitterMs, duplicatePct: 0 };
const chat = (i: number, text = 'hi'): ServerMessage => ({ type: 'chat', seq: i + 1, playerId: 1, name: 'a', text, serverTimeMs: 0 });

describe('ConditionedStreamLink bounds', () => {
  it(`resynchronises the player when ${MAX_DELAYED_MESSAGES} events are held: an error straight to the socket, then close ${CLOSE_BACKLOG_FULL}`, () => {
    const { link, sent, closed } = recordingLink();
    const stream = new ConditionedStreamLink(link, 1, () => 0, createMetrics());
    stream.setConditions(HARSHEST);
    for (let i = 0; i < MAX_DELAYED_MESSAGES; i++) stream.send(chat(i));
    // All of them held (none reached the socket), and the player not cut off yet.
    expect(sent).toEqual([]);
    expect(closed).toEqual([]);
    stream.send(chat(MAX_DELAYED_MESSAGES));
    expect(sent).toEqual([expect.objectContaining({ type: 'error', code: ERROR_BACKLOG_FULL })]);
    expect(closed).toEqual([CLOSE_BACKLOG_FULL]);
    // Everything held was let go with the connection: no message is left in
    // simulated flight (on a perfect network the next one goes straight to
    // the socket, as it does only when nothing waits ahead of it), and no
    // byte (a send as large as the whole bound fits again).
    stream.setConditions(PERFECT_NETWORK);
    stream.send(chat(MAX_DELAYED_MESSAGES + 1));
    expect(sent).toEqual([expect.objectContaining({ type: 'error', code: ERROR_BACKLOG_FULL }), chat(MAX_DELAYED_MESSAGES + 1)]);
    stream.setConditions(HARSHEST);
    expect(stream.sendBinary(new Uint8Array(MAX_DELAYED_BYTES))).toBe(true);
    stream.dispose();
  });

  it(`resynchronises when the held bytes would pass ${MAX_DELAYED_BYTES / 1024} KiB, before the message count does`, () => {
    const { link, closed } = recordingLink();
    const stream = new ConditionedStreamLink(link, 2, () => 0, createMetrics());
    stream.setConditions(HARSHEST);
    const long = 'x'.repeat(200);
    let sends = 0;
    while (closed.length === 0 && sends < MAX_DELAYED_MESSAGES) stream.send(chat(sends++, long));
    expect(closed).toEqual([CLOSE_BACKLOG_FULL]);
    expect(sends).toBeLessThan(MAX_DELAYED_MESSAGES);
    // (Messages grow a little as their sequence numbers do: bound them by the first and the last.)
    expect((sends - 1) * JSON.stringify(chat(0, long)).length).toBeLessThanOrEqual(MAX_DELAYED_BYTES);
    expect(sends * JSON.stringify(chat(sends, long)).length).toBeGreaterThan(MAX_DELAYED_BYTES);
  });

  it('drops snapshots, without cutting the player, when the backlog is full', () => {
    const { link, closed } = recordingLink();
    const stream = new ConditionedStreamLink(link, 3, () => 0, createMetrics());
    stream.setConditions(HARSHEST);
    const snapshot = new Uint8Array(1000);
    let accepted = 0;
    for (let i = 0; i < 1000; i++) if (stream.sendBinary(snapshot)) accepted++;
    expect(accepted).toBe(Math.floor(MAX_DELAYED_BYTES / 1000));
    expect(closed).toEqual([]);
    stream.dispose();
  });
});
