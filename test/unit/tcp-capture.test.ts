// Reading a tcpdump capture into segment histories (bench:tcp-stalls): first
// sends, resends of one segment or of several merged, and new bytes carried
// past the highest sent.
import { describe, expect, it } from 'vitest';
import { resendCauses } from '../../bench/fidelity/repair-causes.ts';
import { repairFollowups } from '../../bench/fidelity/repair-followups.ts';
import { sendHolds } from '../../bench/fidelity/send-holds.ts';
import {
  packetsByConnection,
  parseConnectionPacket,
  parseTcpdumpLine,
  segmentWaits,
  waitKind,
  type ConnectionPacket,
} from '../../bench/fidelity/tcp-capture.ts';

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
    expect(
      segmentWaits([
        { atMs: 0, start: 0, end: 10 },
        { atMs: 33, start: 10, end: 20 },
      ]),
    ).toEqual([
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
  it("sorts waits by length around TCP's minimum RTO and its doublings", () => {
    expect([30, 200, 410, 800, 1700].map(waitKind)).toEqual(['fast', '~200', '~400', '~800', '1600+']);
  });
});

describe('parseConnectionPacket and packetsByConnection', () => {
  const raw = [
    '1.000000 IP 127.0.0.1.4000 > 127.0.0.1.51234: Flags [P.], seq 100:110, ack 7, win 512, options [nop,nop,TS val 1 ecr 1], length 10',
    '1.000100 IP 127.0.0.1.51234 > 127.0.0.1.4000: Flags [.], ack 100, win 512, options [nop,nop,TS val 2 ecr 1,nop,nop,sack 2 {120:130}{140:150}], length 0',
    '1.000200 IP 127.0.0.2.40000 > 127.0.0.1.4000: Flags [S], seq 5, win 65495, options [mss 65495], length 0',
    '1.000300 IP 127.0.0.1.4001 > 127.0.0.1.51234: Flags [P.], seq 1:2, ack 1, win 512, length 1',
  ];

  it("reads both directions of the server's connections, with ACKs and every SACK block", () => {
    expect(parseConnectionPacket(raw[0]!, 4000)).toEqual({
      atMs: 1000,
      client: '127.0.0.1.51234',
      fromServer: true,
      flags: 'P.',
      length: 10,
      start: 100,
      end: 110,
      ack: 7,
      sacks: [],
    });
    expect(parseConnectionPacket(raw[1]!, 4000)).toMatchObject({
      fromServer: false,
      ack: 100,
      sacks: [
        [120, 130],
        [140, 150],
      ],
      length: 0,
    });
    expect(parseConnectionPacket(raw[3]!, 4000)).toBeNull();
  });

  it("keys packets by the client's end", () => {
    const connections = packetsByConnection(raw, 4000);
    expect([...connections.keys()]).toEqual(['127.0.0.1.51234', '127.0.0.2.40000']);
    expect(connections.get('127.0.0.2.40000')![0]!.flags).toBe('S');
  });
});

/** One captured segment of connection 'c' (its length follows from its byte range). */
const packet = (atMs: number, fromServer: boolean, fields: Partial<ConnectionPacket>): ConnectionPacket => ({
  atMs,
  client: 'c',
  fromServer,
  flags: 'P.',
  length: fields.start !== undefined ? fields.end! - fields.start : 0,
  sacks: [],
  ...fields,
});

describe('resendCauses', () => {
  it('says a resend was for a lost send when nothing ever covered it, and for a lost ACK when the receiver had acknowledged it', () => {
    const packets = [
      packet(0, true, { start: 0, end: 10 }), // lost
      packet(33, true, { start: 10, end: 20 }),
      packet(34, false, { ack: 0, sacks: [[10, 20]] }), // SACK of the next one: the first is missing
      packet(34, true, { start: 0, end: 10 }), // fast repair: it arrives...
      packet(35, false, { ack: 20 }), // ...and is acknowledged, but this ACK is lost
      packet(240, true, { start: 0, end: 10 }), // timeout: a resend for a lost ACK
    ];
    expect(resendCauses(packets, true)).toEqual([{ sendsAtMs: [0, 34, 240], causes: ['data', 'ack'] }]);
  });
});

describe('repairFollowups', () => {
  it('counts a timeout after a fast repair whose ACK was lost, and whether new data left before it', () => {
    const lostAck = [
      packet(0, true, { start: 0, end: 10 }),
      packet(33, true, { start: 10, end: 20 }),
      packet(34, false, { ack: 0, sacks: [[10, 20]] }),
      packet(34, true, { start: 0, end: 10 }), // fast repair
      packet(35, false, { ack: 20 }), // its ACK, lost
      packet(240, true, { start: 0, end: 10 }), // the timeout; nothing new left before it
    ];
    expect(repairFollowups(lostAck)).toEqual({
      fastRepairs: 1,
      lostRepairFoundFast: 0,
      lostRepairTimeout: 0,
      lostAckTimeout: 1,
      timeoutsWithNothingNewBefore: 1,
      timeoutResends: 1,
      timeoutResendLost: 0,
      timeoutResendAckLost: 0,
    });
    const newDataBefore = [...lostAck.slice(0, 5), packet(100, true, { start: 20, end: 30 }), lostAck[5]!];
    expect(repairFollowups(newDataBefore).timeoutsWithNothingNewBefore).toBe(0);
  });

  it("counts what came of a timeout's resend: resent again for a lost copy, or for a lost ACK of data the receiver had", () => {
    const lostRepair = [
      packet(0, true, { start: 0, end: 10 }),
      packet(33, true, { start: 10, end: 20 }),
      packet(34, false, { ack: 0, sacks: [[10, 20]] }),
      packet(34, true, { start: 0, end: 10 }), // fast repair, lost
    ];
    const copyLost = [...lostRepair, packet(250, true, { start: 0, end: 10 }), packet(684, true, { start: 0, end: 10 })];
    expect(repairFollowups(copyLost)).toMatchObject({ timeoutResends: 2, timeoutResendLost: 1, timeoutResendAckLost: 0 });
    const ackLost = [...lostRepair, packet(250, true, { start: 0, end: 10 }), packet(250.1, false, { ack: 20 }), packet(684, true, { start: 0, end: 10 })];
    expect(repairFollowups(ackLost)).toMatchObject({ timeoutResends: 2, timeoutResendLost: 0, timeoutResendAckLost: 1 });
  });
});

describe('sendHolds', () => {
  // The server writes every 33 ms; bytes 0–10 are lost, their fast repair too.
  const start = [packet(0, true, { start: 0, end: 10 }), packet(33, true, { start: 10, end: 20 }), packet(33.1, true, { start: 0, end: 10 })];

  it('ends a hold at the timeout whose resend was acknowledged', () => {
    const holds = sendHolds(
      [...start, packet(250, true, { start: 0, end: 10 }), packet(250.1, false, { ack: 20 }), packet(250.2, true, { start: 20, end: 90 })],
      80,
    );
    expect(holds).toEqual([{ fromMs: 33, lengthMs: 250.2 - 33, endedBy: 'timeout' }]);
  });

  it("ends a hold at the receiver's write when its ACK came after the timeout's resend (whose own ACK was lost)", () => {
    const holds = sendHolds(
      [...start, packet(250, true, { start: 0, end: 10 }), packet(600, false, { start: 1, end: 51, ack: 20 }), packet(600.1, true, { start: 20, end: 150 })],
      80,
    );
    expect(holds).toEqual([{ fromMs: 33, lengthMs: 600.1 - 33, endedBy: 'receiver write' }]);
  });

  it('counts a resend that also carries new bytes as the resend that ended the hold', () => {
    const holds = sendHolds([...start, packet(600, false, { start: 1, end: 51, ack: 0 }), packet(684, true, { start: 0, end: 90 })], 80);
    expect(holds).toEqual([{ fromMs: 33, lengthMs: 684 - 33, endedBy: 'timeout' }]);
  });

  it('finds no hold while new data keeps leaving, and says "other" for a gap with neither a resend nor a write', () => {
    expect(sendHolds(start, 80)).toEqual([]);
    expect(sendHolds([packet(0, true, { start: 0, end: 10 }), packet(500, true, { start: 10, end: 20 })], 80)).toEqual([
      { fromMs: 0, lengthMs: 500, endedBy: 'other' },
    ]);
  });
});
