// A short run of `npm run fuzz` (bench/fuzz): every decoder, the stream
// schema and the settings clamp take random and mutated inputs with a fixed
// seed, and must answer in their result shape without throwing. The seeds the
// mutations start from must themselves be accepted, or the fuzzer would only
// ever exercise the first rejection.
import { describe, expect, it } from 'vitest';
import { decodeDeltaSnapshot } from '../../protocol/wire/delta-snapshot.ts';
import { decodeInputPacket } from '../../protocol/wire/input.ts';
import { decodePing } from '../../protocol/wire/ping.ts';
import { decodeSnapshot } from '../../protocol/wire/snapshot.ts';
import { parseClientMessage, parseServerMessage } from '../../protocol/wire/stream.ts';
import { buildDatagramCorpus } from '../../bench/fuzz/datagram-corpus.ts';
import { fuzzTarget } from '../../bench/fuzz/fuzz-loop.ts';
import { CLIENT_MESSAGES, SERVER_MESSAGES } from '../../bench/fuzz/message-corpus.ts';
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
});
