// A short run of `npm run fuzz` (bench/fuzz): every decoder, the stream
// schema, the room list and the settings clamp take random and mutated inputs with a fixed
// seed, and must answer in their result shape without throwing. The seeds the
// mutations start from must themselves be accepted, or the fuzzer would only
// ever exercise the first rejection.
import { describe, expect, it } from 'vitest';
import { decodeDeltaSnapshot } from '../../protocol/wire/delta-snapshot.ts';
import { decodeInputPacket } from '../../protocol/wire/input.ts';
import { decodePing } from '../../protocol/wire/ping.ts';
import { decodeSnapshot } from '../../protocol/wire/snapshot.ts';
import { MAX_ROOM_NAME_CHARS } from '../../protocol/constants.ts';
import { parseRoomList, type RoomList } from '../../protocol/wire/room-list.ts';
import { parseClientMessage, parseServerMessage } from '../../protocol/wire/stream.ts';
import { buildDatagramCorpus } from '../../bench/fuzz/datagram-corpus.ts';
import { fuzzTarget } from '../../bench/fuzz/fuzz-loop.ts';
import { CLIENT_MESSAGES, SERVER_MESSAGES } from '../../bench/fuzz/message-corpus.ts';
import { checkRoomList, ROOM_LISTS, roomListTarget } from '../../bench/fuzz/room-list-target.ts';
import { TARGETS } from '../../bench/fuzz/targets.ts';

const INPUTS_PER_TARGET = 2_000;
const SEED = 20_261_126;

describe('fuzz targets (a short run of npm run fuzz)', () => {
  it.each(TARGETS.map((target) => [target.name, target] as const))(
    '%s never throws and always answers in shape on random and mutated inputs',
    (_name, target) => {
      const report = fuzzTarget(target, INPUTS_PER_TARGET, SEED);
      expect(report.failures).toEqual([]);
      expect(report.exceptions + report.violations).toBe(0);
      expect(report.accepted + report.rejected).toBe(INPUTS_PER_TARGET);
      // Both outcomes occur: the inputs reach past the first check, and are not all valid.
      expect(report.accepted).toBeGreaterThan(0);
      expect(report.rejected).toBeGreaterThan(0);
    },
  );

  it('includes the room list (GET /rooms) parser', () => {
    expect(TARGETS).toContain(roomListTarget);
  });

  it('gives the same inputs, and so the same counts, for the same seed', () => {
    const target = TARGETS[0]!;
    const { elapsedMs: _first, ...first } = fuzzTarget(target, INPUTS_PER_TARGET, SEED);
    const { elapsedMs: _second, ...second } = fuzzTarget(target, INPUTS_PER_TARGET, SEED);
    expect(second).toEqual(first);
  });
});

describe('fuzz seeds', () => {
  const corpus = buildDatagramCorpus();

  it('are valid datagrams of every type, each accepted by its decoder', () => {
    for (const bytes of corpus.inputs) expect(decodeInputPacket(bytes).ok).toBe(true);
    for (const bytes of corpus.snapshots) expect(decodeSnapshot(bytes).ok).toBe(true);
    for (const bytes of corpus.pings) expect(decodePing(bytes).ok).toBe(true);
    for (const bytes of corpus.deltas) expect(decodeDeltaSnapshot(bytes, (tick) => corpus.baselines.get(tick))).toMatchObject({ ok: true });
  });

  it('are valid stream messages of every type, each accepted by its parser', () => {
    for (const message of CLIENT_MESSAGES) expect(parseClientMessage(JSON.stringify(message))).toMatchObject({ ok: true });
    for (const message of SERVER_MESSAGES) expect(parseServerMessage(JSON.stringify(message))).toMatchObject({ ok: true });
  });

  it('are valid room lists, each accepted by parseRoomList as it is', () => {
    for (const list of ROOM_LISTS) expect(parseRoomList(JSON.parse(JSON.stringify(list)))).toEqual({ ok: true, value: list });
  });
});

describe('the room list target', () => {
  it('has a checker with teeth: lists a broken schema could let through are violations', () => {
    const valid = ROOM_LISTS[2]!;
    const room = valid.rooms[0]!;
    expect(checkRoomList(valid)).toBeNull();
    const broken: unknown[] = [
      { ...valid, extra: 1 },
      { ...valid, roomsLeft: -1 },
      { ...valid, capacity: 0.5 },
      { ...valid, rooms: [{ ...room, name: 'Duel' }] },
      { ...valid, rooms: [{ ...room, name: 'a'.repeat(MAX_ROOM_NAME_CHARS + 1) }] },
      { ...valid, rooms: [{ ...room, players: -1 }] },
      { ...valid, rooms: [{ ...room, url: 'ftp://host' }] },
      { ...valid, rooms: [{ ...room, secret: 'x' }] },
    ];
    for (const list of broken) expect(checkRoomList(list as RoomList), JSON.stringify(list)).not.toBeNull();
  });

  it("accepts a valid list and refuses a broken one, with the parser's code and a message", () => {
    expect(roomListTarget.run(JSON.stringify(ROOM_LISTS[1]))).toBe('accepted');
    expect(roomListTarget.run('{"rooms":[{"name":"-x","players":1,"capacity":2}],"capacity":2,"roomsLeft":0}')).toBe('rejected');
    expect(roomListTarget.run('[]')).toBe('rejected');
  });

  it('accepts a name the schema normalises (trimmed, lower case), since it round-trips as normalised', () => {
    expect(parseRoomList({ rooms: [{ name: ' DUEL ', players: 1, capacity: 2 }], capacity: 2, roomsLeft: 0 })).toMatchObject({
      ok: true,
      value: { rooms: [{ name: 'duel' }] },
    });
    expect(roomListTarget.run('{"rooms":[{"name":" DUEL ","players":1,"capacity":2}],"capacity":2,"roomsLeft":0}')).toBe('accepted');
  });
});
