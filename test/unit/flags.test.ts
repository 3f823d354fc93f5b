// The one flag handler every entry point uses (game-server/cli/flags.ts).
import { describe, expect, it } from 'vitest';
import { defineCommand, parseFlags, usage, UsageError, wantsHelp } from '../../game-server/cli/flags.ts';

const command = defineCommand({
  name: 'npm run example',
  about: 'An example.',
  flags: {
    count: { type: 'string', value: 'N', default: '4', help: 'how many' },
    port: { type: 'string', value: 'N', default: '8080', env: 'PORT', help: 'where' },
    room: { type: 'string', value: 'NAME', defaultText: 'quick play', help: 'which room' },
    target: { type: 'string', value: 'NAME', multiple: true, help: 'repeatable' },
    json: { type: 'boolean', help: 'JSON only' },
  },
  notes: 'Notes.',
});

describe('parseFlags', () => {
  it('fills defaults, leaves a flag without one undefined, and a boolean false', () => {
    expect(parseFlags(command, [])).toEqual({ count: '4', port: '8080', room: undefined, target: undefined, json: false });
  });

  it('takes a flag over its environment variable, the variable over the default, and an empty variable as unset', () => {
    expect(parseFlags(command, ['--port', '1'], { PORT: '2' }).port).toBe('1');
    expect(parseFlags(command, [], { PORT: '2' }).port).toBe('2');
    expect(parseFlags(command, [], { PORT: '' }).port).toBe('8080');
    expect(parseFlags(command, [], undefined).port).toBe('8080');
  });

  it('collects a repeatable flag in order', () => {
    expect(parseFlags(command, ['--target', 'a', '--target=b']).target).toEqual(['a', 'b']);
  });

  it.each([
    [['--cuont', '3'], "Unknown option '--cuont'"],
    [['8080'], "Unexpected argument '8080'"],
    [['--count'], 'argument missing'],
  ])('refuses %j with a UsageError naming what is wrong', (argv, message) => {
    expect(() => parseFlags(command, argv)).toThrow(UsageError);
    expect(() => parseFlags(command, argv)).toThrow(message);
  });
});

describe('wantsHelp', () => {
  it('sees --help or -h anywhere before --', () => {
    expect(wantsHelp(['--count', '3', '--help'])).toBe(true);
    expect(wantsHelp(['-h', '--cuont'])).toBe(true);
    expect(wantsHelp(['--', '--help'])).toBe(false);
    expect(wantsHelp([])).toBe(false);
  });
});

describe('usage', () => {
  it('lists every flag with its value, meaning, default and variable, then --help and the notes', () => {
    expect(usage(command)).toBe(
      [
        'Usage: npm run example -- [flags]',
        'An example.',
        '',
        '  --count N      how many (default 4)',
        '  --port N       where (default 8080; env PORT)',
        '  --room NAME    which room (default quick play)',
        '  --target NAME  repeatable',
        '  --json         JSON only',
        '  --help         print this and exit',
        '',
        'Notes.',
      ].join('\n'),
    );
  });
});
