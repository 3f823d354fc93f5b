// The connection timeline's assembly (game-client/play/connection-timeline-log.ts,
// timeline-steps.ts): attempts from observed points, steps only from what was
// observed, server steps placed with the clock offset, bounds.
import { describe, expect, it } from 'vitest';
import { TIMELINE_MAX_ATTEMPTS, TIMELINE_MAX_EVENTS } from '../../protocol/connection-timeline.ts';
import type { ConnectionEvent, ConnectionStep } from '../../game-client/net/connection-events.ts';
import { ConnectionTimelineLog } from '../../game-client/play/connection-timeline-log.ts';

const ORIGIN_MS = 1000;
const EXACT_CLOCK = { offsetMs: 5000, rttMs: 0, pinned: true };

function feed(log: ConnectionTimelineLog, channel: ConnectionEvent['channel'], points: [ConnectionStep, number, string?][]) {
  for (const [step, atMs, detail] of points) log.record({ channel, step, atMs, ...(detail ? { detail } : {}) });
}

const step = (log: ConnectionTimelineLog, channel: 'stream' | 'datagram', id: string, side = 'page', attempt = 0) =>
  log.view(EXACT_CLOCK).channels[channel][attempt]!.steps.find((s) => s.id === id && s.side === side);

describe('the connection timeline log', () => {
  it('makes a stream attempt’s steps from the points the page saw, on the clock since joining', () => {
    const log = new ConnectionTimelineLog(ORIGIN_MS);
    feed(log, 'stream', [
      ['connecting', 1000],
      ['channel-open', 1004],
      ['hello', 1004.5],
      ['first-message', 1010],
      ['welcome', 1010.2],
    ]);
    const [attempt] = log.view(EXACT_CLOCK).channels.stream;
    expect(attempt).toMatchObject({ n: 1, reason: 'initial', outcome: 'open' });
    expect(step(log, 'stream', 'ws-connect')).toMatchObject({
      startMs: 0,
      endMs: 4,
      durationMs: 4,
      quality: 'exact',
      seedCall: expect.stringContaining('connect()'),
    });
    expect(step(log, 'stream', 'hello-welcome')).toMatchObject({ startMs: 4.5, endMs: 10.2, quality: 'exact' });
    expect(step(log, 'stream', 'first-message')).toMatchObject({ startMs: 4, endMs: 10 });
  });

  it('shows no step that has not happened, and ends one that never finished at the close, saying so', () => {
    const log = new ConnectionTimelineLog(ORIGIN_MS);
    feed(log, 'stream', [['connecting', 1000]]);
    expect(log.view(EXACT_CLOCK).channels.stream[0]!.steps).toEqual([]);
    feed(log, 'stream', [['closed', 1300, '1006']]);
    const [attempt] = log.view(EXACT_CLOCK).channels.stream;
    expect(attempt!.outcome).toBe('failed: 1006');
    expect(step(log, 'stream', 'ws-connect')).toMatchObject({ durationMs: 300, detail: expect.stringContaining('did not finish') });
  });

  it('names a refused or redirected hello as such', () => {
    const log = new ConnectionTimelineLog(ORIGIN_MS);
    feed(log, 'stream', [
      ['connecting', 1000],
      ['channel-open', 1002],
      ['hello', 1002],
      ['refused', 1005, 'name-taken'],
    ]);
    expect(log.view(EXACT_CLOCK).channels.stream[0]!.outcome).toBe('refused: name-taken');
    expect(step(log, 'stream', 'hello-refused')).toMatchObject({ durationMs: 3 });
    log.nextReason('stream', 'redirect');
    feed(log, 'stream', [
      ['connecting', 1100],
      ['channel-open', 1102],
      ['hello', 1102],
      ['redirected', 1104, 'http://127.0.0.1:9'],
    ]);
    expect(log.view(EXACT_CLOCK).channels.stream[1]).toMatchObject({ reason: 'redirect', outcome: 'redirected: http://127.0.0.1:9' });
  });

  it('gives later attempts the reason they were made for, and `retry` when none was said', () => {
    const log = new ConnectionTimelineLog(ORIGIN_MS);
    feed(log, 'datagram', [['signaling', 1000]]);
    feed(log, 'datagram', [['signaling', 2000]]);
    log.nextReason('datagram', 'fresh-start');
    feed(log, 'datagram', [['signaling', 3000]]);
    expect(log.view(null).channels.datagram.map((a) => a.reason)).toEqual(['initial', 'retry', 'fresh-start']);
  });

  it('places the server’s steps with the clock offset, on the attempt that reached it', () => {
    const log = new ConnectionTimelineLog(ORIGIN_MS);
    feed(log, 'stream', [
      ['connecting', 1000],
      ['channel-open', 1006],
    ]);
    log.serverSteps({
      type: 'connection-timeline',
      channel: 'stream',
      connectionId: 'stream-1',
      steps: [
        { id: 'tcp-accept', startMs: 6001, endMs: 6001 },
        { id: 'upgrade-101', startMs: 6002, endMs: 6003 },
      ],
    });
    expect(step(log, 'stream', 'tcp-accept', 'server')).toMatchObject({ startMs: 1, quality: 'server-clock', source: expect.stringContaining('pinned') });
    expect(step(log, 'stream', 'upgrade-101', 'server')).toMatchObject({ startMs: 2, endMs: 3 });
    // Not yet synced: the server's steps wait to be placed rather than being placed wrong.
    expect(log.view(null).channels.stream[0]!.steps.some((s) => s.side === 'server')).toBe(false);
    // An estimated clock says how far to trust it.
    const estimated = log.view({ offsetMs: 5000, rttMs: 3, pinned: false }).channels.stream[0]!.steps.find((s) => s.side === 'server')!;
    expect(estimated.source).toContain('± 1.5 ms');
  });

  it('keeps placing a left server’s steps with its own clock', () => {
    const log = new ConnectionTimelineLog(ORIGIN_MS);
    feed(log, 'stream', [['connecting', 1000]]);
    log.serverSteps({ type: 'connection-timeline', channel: 'stream', connectionId: 'stream-1', steps: [{ id: 'tcp-accept', startMs: 6001, endMs: 6001 }] });
    log.freezeServerClock(EXACT_CLOCK);
    const placed = log.view({ offsetMs: -400, rttMs: 1, pinned: false }).channels.stream[0]!.steps.find((s) => s.side === 'server');
    expect(placed).toMatchObject({ startMs: 1 });
  });

  it('marks a refused datagram token on its attempt', () => {
    const log = new ConnectionTimelineLog(ORIGIN_MS);
    feed(log, 'datagram', [
      ['signaling', 1000],
      ['closed', 1020, 'status 401'],
    ]);
    log.serverSteps({
      type: 'connection-timeline',
      channel: 'datagram',
      connectionId: 'datagram-4',
      steps: [{ id: 'token-refused', startMs: 6010, endMs: 6010, detail: 'spent' }],
    });
    const [attempt] = log.view(EXACT_CLOCK).channels.datagram;
    // The server's word on why beats the page's "status 401".
    expect(attempt!.outcome).toBe('refused: datagram token (spent)');
    expect(attempt!.steps.map((s) => `${s.side}:${s.id}`)).toEqual(['page:signaling-offer', 'server:token-refused', 'page:closed']);
    expect(attempt!.steps[0]).toMatchObject({ quality: 'approximate', detail: 'HTTP status 401' });
  });

  it('builds a browser’s datagram steps from its peer connection’s events and Resource Timing', () => {
    const log = new ConnectionTimelineLog(ORIGIN_MS);
    feed(log, 'datagram', [
      ['signaling', 1000],
      ['peer-connection', 1012, 'browser'],
      ['ice-gathering', 1014],
      ['ice-checking', 1015],
      ['ice-gathered', 1016],
      ['ice-connected', 1020],
      ['dtls-connecting', 1020.5],
      ['dtls-connected', 1030],
      ['sctp-connected', 1034],
      ['data-channel', 1036],
      ['channel-open', 1037],
      ['first-send', 1040],
      ['first-message', 1045],
    ]);
    log.request({
      request: 'offer',
      startMs: 1001,
      endMs: 1011,
      status: 200,
      connectMs: 0,
      waitMs: 8,
      serverTiming: [{ name: 'offer', durationMs: 6, description: '' }],
    });
    log.request({ request: 'answer', startMs: 1014, endMs: 1019, status: 200, connectMs: 0, waitMs: 4, serverTiming: [] });
    const [attempt] = log.view(EXACT_CLOCK).channels.datagram;
    expect(attempt!.outcome).toBe('open');
    expect(step(log, 'datagram', 'signaling-offer')).toMatchObject({
      startMs: 1,
      endMs: 11,
      quality: 'exact',
      detail: expect.stringContaining('server offer 6 ms'),
    });
    expect(step(log, 'datagram', 'dtls')).toMatchObject({ startMs: 20.5, endMs: 30, quality: 'exact' });
    expect(step(log, 'datagram', 'sctp')).toMatchObject({ startMs: 30, endMs: 34 });
    expect(step(log, 'datagram', 'channel-open')).toMatchObject({ startMs: 34, endMs: 36 });
    expect(step(log, 'datagram', 'first-datagram-in')).toMatchObject({ startMs: 36, endMs: 45 });
    const starts = attempt!.steps.map((s) => s.startMs!);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('says DTLS and SCTP are unavailable under node-datachannel’s polyfill, with no times', () => {
    const log = new ConnectionTimelineLog(ORIGIN_MS);
    feed(log, 'datagram', [
      ['signaling', 1000],
      ['peer-connection', 1012, 'polyfill'],
      ['ice-connected', 1020],
      ['sctp-connected', 1030],
    ]);
    const dtls = step(log, 'datagram', 'dtls');
    expect(dtls).toMatchObject({ quality: 'unavailable', startMs: null, durationMs: null, source: expect.stringContaining('polyfill') });
    // Without a Resource Timing entry, the offer is approximated from what geckos did, and says so.
    expect(step(log, 'datagram', 'signaling-offer')).toMatchObject({ quality: 'approximate', endMs: 12 });
  });

  it('keeps the newest attempts and marks, no more', () => {
    const log = new ConnectionTimelineLog(ORIGIN_MS);
    for (let i = 0; i < TIMELINE_MAX_ATTEMPTS + 3; i++) feed(log, 'stream', [['connecting', 1000 + i]]);
    for (let i = 0; i < TIMELINE_MAX_EVENTS + 5; i++) log.mark('reconnect', 'stream', 1000 + i, `#${i}`);
    const view = log.view(null);
    expect(view.channels.stream).toHaveLength(TIMELINE_MAX_ATTEMPTS);
    expect(view.channels.stream.at(-1)!.n).toBe(TIMELINE_MAX_ATTEMPTS + 3);
    expect(view.events).toHaveLength(TIMELINE_MAX_EVENTS);
    expect(view.events.at(-1)).toEqual({ atMs: TIMELINE_MAX_EVENTS + 4, channel: 'stream', kind: 'reconnect', detail: `#${TIMELINE_MAX_EVENTS + 4}` });
  });
});
