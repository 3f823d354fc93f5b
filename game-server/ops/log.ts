// Structured logging (pino). Off a terminal — a container, a pipe, a test —
// one JSON object per line, for machines. On a terminal, pino-pretty's
// readable lines instead, when it is installed: it is a dev dependency, so
// the production image (npm ci --omit=dev) has none and logs JSON whatever
// its stdout is. LOG_FORMAT=json forces JSON; LOG_FORMAT=pretty asks for
// readable lines even into a pipe. LOG_LEVEL=debug shows every drop; tests
// run silent.
import { createRequire } from 'node:module';
import { pino, type DestinationStream } from 'pino';

/** LOG_FORMAT's values; unset or empty: pretty on a terminal, JSON otherwise. */
type LogFormat = 'json' | 'pretty';

type PrettyFactory = (options: Record<string, unknown>) => DestinationStream;

/** pino-pretty's stream, or null when JSON is wanted or pino-pretty is not installed. */
function prettyStream(format: string | undefined, isTerminal: boolean): DestinationStream | null {
  const wanted: LogFormat = format === 'json' || format === 'pretty' ? format : isTerminal ? 'pretty' : 'json';
  if (wanted === 'json') return null;
  let pretty: PrettyFactory;
  try {
    // Loaded only when wanted, and optional: a missing module means JSON, not a crash.
    const loaded = createRequire(import.meta.url)('pino-pretty') as PrettyFactory & { default?: PrettyFactory };
    pretty = loaded.default ?? loaded;
  } catch {
    return null;
  }
  // Synchronous, as pino's own stdout is: the last lines before process.exit are not lost.
  return pretty({ colorize: isTerminal, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
}

const options = { level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'), base: undefined };
const pretty = prettyStream(process.env.LOG_FORMAT, process.stdout.isTTY === true);

export const log = pretty ? pino(options, pretty) : pino(options);
