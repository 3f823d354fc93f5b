// What every command that starts a game server checks first (main.ts, which
// `npm start` runs compiled, and `npm run dev`), each failure one line and an
// exit code instead of a stack trace. `npm run dev` checks the port before it
// spawns anything (`npm start` used to rebuild dist/ under a running server
// before dying on a raw EADDRINUSE; it builds nothing now).
import { createServer } from 'node:net';
import { DEFAULT_HTTP_PORT, FIRST_UNPRIVILEGED_PORT, MAX_TCP_PORT } from '../protocol/constants.ts';
import { loadConfig, SERVER_COMMAND, type ServerConfig } from './config.ts';
import { EXIT_USAGE, exitWithHelp, exitWithUsageError, UsageError, wantsHelp, type Command, type FlagTable } from './cli/flags.ts';

/** Exit code for a configuration the server refuses. */
export const EXIT_BAD_CONFIG = EXIT_USAGE;
/** Exit code for an address the server cannot listen on. */
export const EXIT_CANNOT_LISTEN = 1;

/** The addresses a server listens on: the game's, and the ops listener's (/metrics, the detailed /healthz). */
type ListenConfig = Pick<ServerConfig, 'host' | 'port' | 'opsHost' | 'opsPort'>;

/** One listener's address, and the flag and variable that choose it. */
interface ListenAddress {
  host: string;
  port: number;
  /** Which listener: its flags are --port / --host, or --ops-port / --ops-host. */
  listener?: Listener;
}

/** startServer marks a listen error with the listener it came from (absent: the game's). */
export type Listener = 'game' | 'ops';

const LISTENER_FLAGS: Record<Listener, { port: [string, string]; host: [string, string] }> = {
  game: { port: ['--port', 'PORT'], host: ['--host', 'HOST'] },
  ops: { port: ['--ops-port', 'OPS_PORT'], host: ['--ops-host', 'OPS_HOST'] },
};

/**
 * The configuration from flags and environment; for --help, the usage of
 * `command` (the server's, or a script's that takes its flags) and exit 0; on
 * a bad one, every problem and the usage, exit 2 (flags.ts).
 */
export function configOrExit(argv: string[], env: NodeJS.ProcessEnv, command: Command<FlagTable> = SERVER_COMMAND): ServerConfig {
  if (wantsHelp(argv)) exitWithHelp(command);
  try {
    return loadConfig(argv, env);
  } catch (error) {
    if (error instanceof UsageError) exitWithUsageError(command, error.message);
    throw error;
  }
}

/**
 * Listens on each address (the ops listener's too, when it has a fixed port)
 * for a moment and lets go. If that fails for a reason `cannotListenLine`
 * explains, prints the line and exits.
 */
export async function portFreeOrExit(config: ListenConfig): Promise<void> {
  const addresses: ListenAddress[] = [{ host: config.host, port: config.port }];
  if (config.opsPort !== 0) addresses.push({ host: config.opsHost, port: config.opsPort, listener: 'ops' });
  for (const address of addresses) {
    const error = await tryListen(address);
    if (error) exitIfCannotListen(Object.assign(error, { listener: address.listener }), config);
  }
}

/** Prints the one line for a listen error (of the listener it names) and exits; rethrows any other error untouched. */
export function exitIfCannotListen(error: unknown, config: ListenConfig): never {
  const listener = listenerOf(error);
  const address = listener === 'ops' ? { host: config.opsHost, port: config.opsPort, listener } : { host: config.host, port: config.port };
  const line = cannotListenLine(error, address);
  if (line === null) throw error;
  console.error(line);
  process.exit(EXIT_CANNOT_LISTEN);
}

/** One line naming the address and how to choose another, for the listen errors a user can fix; null otherwise. */
export function cannotListenLine(error: unknown, { host, port, listener = 'game' }: ListenAddress): string | null {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  const [portFlag, portEnv] = LISTENER_FLAGS[listener].port;
  const [hostFlag, hostEnv] = LISTENER_FLAGS[listener].host;
  const what = listener === 'ops' ? 'ops port' : 'port';
  switch (code) {
    case 'EADDRINUSE': {
      const other = port < MAX_TCP_PORT ? port + 1 : port - 1;
      return `${what} ${port} is already in use (is another server running?): choose another with ${portFlag} ${other} or ${portEnv}=${other}`;
    }
    case 'EACCES': {
      const other = port < FIRST_UNPRIVILEGED_PORT ? (listener === 'ops' ? 0 : DEFAULT_HTTP_PORT) : port + 1;
      return `${what} ${port} needs privileges this user lacks (EACCES): choose another with ${portFlag} ${other} or ${portEnv}=${other}`;
    }
    case 'EADDRNOTAVAIL':
      // Loopback is on every machine; every interface (0.0.0.0) is a choice to make knowingly, not a fix to suggest.
      return `address ${host} is not on this machine (EADDRNOTAVAIL): choose another with ${hostFlag} 127.0.0.1 or ${hostEnv}=127.0.0.1`;
    default:
      return null;
  }
}

function listenerOf(error: unknown): Listener {
  return typeof error === 'object' && error !== null && 'listener' in error && error.listener === 'ops' ? 'ops' : 'game';
}

/** Resolves with the listen error, or null once the probe has listened and closed again. */
function tryListen({ host, port }: ListenAddress): Promise<Error | null> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', resolve);
    probe.listen(port, host, () => probe.close(() => resolve(null)));
  });
}
