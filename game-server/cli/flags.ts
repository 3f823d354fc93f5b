// The command line of every entry point — the server, `npm run bots`, every
// script and bench — read one way: node:util's parseArgs (strict), one usage
// format, one behaviour.
//
//   --help (or -h)          the usage on stdout, exit 0, before anything is built or started
//   an unknown flag, a      one line saying what is wrong, a blank line and the usage,
//   bad value               on stderr, exit 2; never a stack trace
//
// A command is a table of flags, each with its default and one line of
// meaning, so the usage cannot forget one. node:util's parser is enough (and
// needs no dependency): what it lacks — help, defaults from the environment,
// the usage text — is the 150 lines here.
//
// It sits under game-server/ because the server reads its flags with it and
// the production image holds only game-server/ and protocol/.
import { parseArgs } from 'node:util';

/** Exit code for a command line a command cannot run with. */
export const EXIT_USAGE = 2;

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** The value's placeholder in the usage (N, URL, DIR…); strings only. */
  value?: string;
  /** Taken when the flag (and its `env`, if read) is absent; strings only. */
  default?: string;
  /** The default as the usage states it, when `default` cannot say it (it depends on something else). */
  defaultText?: string;
  /** Repeatable: every value, in order. */
  multiple?: boolean;
  /** The environment variable read when the flag is absent (only by parseFlags given an `env`). */
  env?: string;
  /** What it means, in one line. */
  help: string;
}

export type FlagTable = Record<string, FlagSpec>;

export interface Command<F extends FlagTable> {
  /** How it is run, e.g. `npm run soak`. */
  name: string;
  /** What it does, in a line or two. */
  about: string;
  flags: F;
  /** Said after the flags: environment read, examples. */
  notes?: string;
}

type ValueOf<S extends FlagSpec> = S['type'] extends 'boolean'
  ? boolean
  : S['multiple'] extends true
    ? string[] | undefined
    : S extends { default: string }
      ? string
      : string | undefined;

/** The parsed flags of a command, by flag name: strings (or undefined without a default), booleans, lists. */
export type FlagValues<F extends FlagTable> = { -readonly [K in keyof F]: ValueOf<F[K]> };

/** A command line the command cannot run with; its message is the one line printed. */
export class UsageError extends Error {}

/** Declares a command, keeping its flags' literal types (so a flag with a default parses to a string). */
export function defineCommand<const F extends FlagTable>(command: Command<F>): Command<F> {
  return command;
}

/** Whether the command line asks for help (before a `--` that ends the flags). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/**
 * Reads `argv` against the command's flags: each flag, else its environment
 * variable when `env` is given (an empty one counts as unset), else its
 * default. Throws a UsageError naming the flag for an unknown flag, a
 * missing value or a stray argument.
 */
export function parseFlags<F extends FlagTable>(command: Command<F>, argv: readonly string[], env?: NodeJS.ProcessEnv): FlagValues<F> {
  const options = Object.fromEntries(
    Object.entries(command.flags).map(([name, spec]) => [name, { type: spec.type, ...(spec.multiple ? { multiple: true } : {}) }]),
  );
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    if (isParseArgsError(error)) throw new UsageError((error as Error).message);
    throw error;
  }
  const parsed: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(command.flags)) {
    const given = values[name];
    if (spec.type === 'boolean') parsed[name] = given === true;
    else if (given !== undefined) parsed[name] = given;
    else {
      const fromEnv = spec.env === undefined ? undefined : env?.[spec.env];
      parsed[name] = fromEnv !== undefined && fromEnv !== '' ? fromEnv : spec.default;
    }
  }
  return parsed as FlagValues<F>;
}

/**
 * The parsed (and checked) flags; or, for --help, the usage on stdout and
 * exit 0; or, for a UsageError from parsing or from `check`, its line and
 * the usage on stderr and exit 2. Any other error is a bug and is thrown.
 */
export function flagsOrExit<F extends FlagTable, T = FlagValues<F>>(
  command: Command<F>,
  check: (values: FlagValues<F>) => T = (values) => values as T,
  { argv = process.argv.slice(2), env }: { argv?: readonly string[]; env?: NodeJS.ProcessEnv } = {},
): T {
  if (wantsHelp(argv)) exitWithHelp(command);
  try {
    return check(parseFlags(command, argv, env));
  } catch (error) {
    if (error instanceof UsageError) exitWithUsageError(command, error.message);
    throw error;
  }
}

/** Prints the usage on stdout and exits 0. */
export function exitWithHelp(command: Command<FlagTable>): never {
  console.log(usage(command));
  process.exit(0);
}

/** Prints what is wrong (one line, or one per problem), a blank line and the usage on stderr; exits 2. */
export function exitWithUsageError(command: Command<FlagTable>, message: string): never {
  console.error(`${message}\n\n${usage(command)}`);
  process.exit(EXIT_USAGE);
}

/** Help is listed with the command's flags, though no command declares it. */
const HELP_LINE: [string, string] = ['--help', 'print this and exit'];

/** The usage text: how to run it, what it does, every flag with its default and meaning, then the notes. */
export function usage(command: Command<FlagTable>): string {
  const rows: [string, string][] = Object.entries(command.flags).map(([name, spec]) => [
    `--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`,
    `${spec.help}${describeDefault(spec)}`,
  ]);
  rows.push(HELP_LINE);
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  const lines = [
    `Usage: ${command.name}${Object.keys(command.flags).length > 0 ? ' -- [flags]' : ''}`,
    command.about,
    '',
    ...rows.map(([flag, help]) => `  ${flag.padEnd(width)}${help}`),
  ];
  if (command.notes) lines.push('', command.notes);
  return lines.join('\n');
}

function describeDefault(spec: FlagSpec): string {
  const parts: string[] = [];
  const fallback = spec.defaultText ?? spec.default;
  if (spec.type === 'string' && fallback !== undefined && fallback !== '') parts.push(`default ${fallback}`);
  if (spec.env !== undefined) parts.push(`env ${spec.env}`);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

/** node:util's parseArgs marks what it refuses with codes ERR_PARSE_ARGS_*. */
function isParseArgsError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}
