// `npm run bots` flags: defaults a run can start with, and a one-line reason for each flag it cannot.
import { describe, expect, it } from 'vitest';
import { BotUsageError, parseBotOptions, parseStdinCommand } from '../../game-client/bots/bot-options.ts';
import { DEFAULT_HTTP_PORT, JOIN_BURST, JOIN_REFILL_PER_S } from '../../protocol/constants.ts';

describe('parseBotOptions', () => {
  it('starts from defaults that stay within the server limits, on localhost', () => {
    const options = parseBotOptions([]);
    expect(options).toMatchObject({
      url: `http://127.0.0.1:${DEFAULT_HTTP_PORT}`,
      count: 4,
      durationS: 10,
      chatEveryS: 5,
      connectTimeoutMs: 15_000,
      joinRatePerS: JOIN_REFILL_PER_S,
      joinBurst: JOIN_BURST,
      reportOnStdin: false,
      quiet: false,
    });
    expect(options.roomFor(0)).toBeUndefined(); // quick play
  });

  it('spreads bots over --rooms K, or puts them all in --room NAME', () => {
    const spread = parseBotOptions(['--rooms', '3']).roomFor;
    expect([0, 1, 2, 3, 4].map(spread)).toEqual(['bots-1', 'bots-2', 'bots-3', 'bots-1', 'bots-2']);
    expect(parseBotOptions(['--room', 'lobby']).roomFor(7)).toBe('lobby');
  });

  it('starts with no bots only when driven over stdin (the load bench gives them by join lines)', () => {
    expect(parseBotOptions(['--report-on-stdin', '--count', '0']).count).toBe(0);
    expect(() => parseBotOptions(['--count', '0'])).toThrow(BotUsageError);
  });

  it('is quiet with --json, and with --report-on-stdin, which implies it', () => {
    expect(parseBotOptions(['--json']).quiet).toBe(true);
    expect(parseBotOptions(['--report-on-stdin'])).toMatchObject({ quiet: true, reportOnStdin: true });
  });

  it.each([
    [['--count', '0'], '--count must be a positive integer, got "0"'],
    [['--duration', '2.5'], '--duration must be a positive integer, got "2.5"'],
    [['--join-rate=-1'], '--join-rate must be a positive number, got "-1"'],
    [['--join-rate', 'Infinity'], '--join-rate must be a positive number, got "Infinity"'],
    [['--rooms', '2', '--room', 'a'], 'give --rooms K or --room NAME, not both'],
    [['--rooms', 'many'], '--rooms must be a positive integer, got "many"'],
    [['--from', 'localhost'], '--from must be an IPv4 address or a range A-B, got "localhost"'],
    [['--from', '127.0.0.2-127.0.1.3'], '--from: a range differs only in its last part (127.0.0.N-127.0.0.M), got "127.0.0.2-127.0.1.3"'],
    [['--from', '127.0.0.9-127.0.0.2'], '--from: the range must go upwards, at most 254 addresses, got "127.0.0.9-127.0.0.2"'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseBotOptions(argv)).toThrow(new BotUsageError(message));
  });

  it('takes --from as one source address or a range of them', () => {
    expect(parseBotOptions([]).sourceAddresses).toEqual([]);
    expect(parseBotOptions(['--from', '127.0.0.5']).sourceAddresses).toEqual(['127.0.0.5']);
    expect(parseBotOptions(['--from', '127.0.0.2-127.0.0.4']).sourceAddresses).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
  });

  it('refuses a room name the server would refuse', () => {
    expect(() => parseBotOptions(['--room', ''])).toThrow(/^--room: /);
  });

  it('refuses a flag it does not know (node:util says which)', () => {
    expect(() => parseBotOptions(['--cuont', '3'])).toThrow(/--cuont/);
  });
});

describe('parseStdinCommand', () => {
  const join = { id: 3, url: 'http://127.0.0.1:8080', room: 'Load-2', count: 25, joinRatePerS: 1.5, joinBurst: 2 };

  it('reads a join line, with the room as the server will name it', () => {
    expect(parseStdinCommand(`join ${JSON.stringify(join)}`)).toEqual({ kind: 'join', join: { ...join, room: 'load-2' } });
  });

  it('takes any other line as a request for a window report', () => {
    expect(parseStdinCommand('report')).toEqual({ kind: 'report' });
    expect(parseStdinCommand('')).toEqual({ kind: 'report' });
  });

  it.each([
    ['join {', /^a join line carries one JSON object$/],
    [`join ${JSON.stringify({ ...join, count: 0 })}`, /^join: count: /],
    [`join ${JSON.stringify({ ...join, extra: 1 })}`, /^join: .*extra/],
    [`join ${JSON.stringify({ ...join, room: 'no spaces' })}`, /^join: room: A room name is/],
  ])('says what is wrong with %j', (line, message) => {
    expect(() => parseStdinCommand(line)).toThrow(message);
  });
});
