// Reading a tcpdump capture into segment histories (bench:tcp-stalls): first
// sends, resends of one segment or of several merged, and new bytes carried
// past the highest sent.
import { describe, expect, it } from 'vitest';
import { parseTcpdumpLine, segmentWaits, waitKind } from '../../bench/fidelity/tcp-capture.ts';

const line = (t: number, seq: string, from = 4000) =>
  `${t.toFixed(6)} IP 127.0.0.1.${from} > 127.0.0.1.51234: Flags [P.], seq ${seq}, ack 1, win 512, options [nop,nop,TS val 1 ecr 1], length 10`;

describe('parseTcpdumpLine', () => {
  it('reads a data segment sent from the port', () => {
    expect(parseTcpdumpLine(line(1000.5, '100:110'), 4000)).toEqual({ atMs: 1_000_500, start: 100, end: 110 });
  });

  it('ignores the other direction, pure ACKs and noise', () => {
    expect(parseTcpdumpLine(line(1, '100:110', 5000), 4000)).toBeNull();
    expect(parseTcpdumpLine('1.000000 IP 127.0.0.1.4000 > 127.0.0.1.51234: Flags [.], ack 5, win 512, length 0', 4000)).toBeNull();
    expect(parseTcpdumpLine('tcpdump: listening on lo', 4000)).toBeNull();
  });
});

describe('segmentWaits', () => {
  it('counts each segment once when nothing is resent', () => {
    expect(segmentWaits([{ atMs: 0, start: 0, end: 10 }, { atMs: 33, start: 10, end: 20 }])).toEqual([
      { transmissions: 1, waitsMs: [] },
      { transmissions: 1, waitsMs: [] },
    ]);
  });

  it('gives each resend its wait since the segment last went out', () => {
    const histories = segmentWaits([
      { atMs: 0, start: 0, end: 10 },
      { atMs: 33, start: 10, end: 20 },
      { atMs: 34, start: 0, end: 10 }, // fast repair
      { atMs: 234, start: 0, end: 10 }, // then a timeout
    ]);
    expect(histories[0]).toEqual({ transmissions: 3, waitsMs: [34, 200] });
    expect(histories[1]).toEqual({ transmissions: 1, waitsMs: [] });
  });

  it('counts a resend that merges two segments for both, and new bytes past the highest as a new segment', () => {
    const histories = segmentWaits([
      { atMs: 0, start: 0, end: 10 },
      { atMs: 10, start: 10, end: 20 },
      { atMs: 210, start: 0, end: 30 },
    ]);
    expect(histories).toEqual([
      { transmissions: 2, waitsMs: [210] },
      { transmissions: 2, waitsMs: [200] },
      { transmissions: 1, waitsMs: [] },
    ]);
  });
});

describe('waitKind', () => {
  it('sorts waits by length around TCP\'s minimum RTO and its doublings', () => {
    expect([30, 200, 410, 800, 1700].map(waitKind)).toEqual(['fast', '~200', '~400', '~800', '1600+']);
  });
});
