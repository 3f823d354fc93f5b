// What every command that starts a game server checks first (main.ts,
// `npm start`, `npm run dev`), each failure one line and an exit code instead
// of a stack trace. `npm start` and `npm run dev` check the port before they
// build or spawn anything: a second start on a busy port used to rebuild
// dist/ under the running server, then die on a raw EADDRINUSE.
import { createServer } from 'node:net';
import { DEFAULT_HTTP_PORT, FIRST_UNPRIVILEGED_PORT, MAX_TCP_PORT } from '../protocol/constants.ts';
import { loadConfig, USAGE, type ServerConfig } from './config.ts';

/** Exit code for a configuration the server refuses. */
export const EXIT_BAD_CONFIG = 2;
/** Exit code for an address the server cannot listen on. */
export const EXIT_CANNOT_LISTEN = 1;

type ListenAddress = Pick<ServerConfig, 'host' | 'port'>;

/** The configuration from flags and environment; on a bad one, prints every problem and the usage, then exits. */
export function configOrExit(argv: string[], env: NodeJS.ProcessEnv): ServerConfig {
  try {
    return loadConfig(argv, env);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(EXIT_BAD_CONFIG);
  }
}

/**
 * Listens on the address for a moment and lets go. If that fails for a reason
 * `cannotListenLine` explains, prints the line and exits.
 */
export async function portFreeOrExit(address: ListenAddress): Promise<void> {
  const error = await tryListen(address);
  if (error) exitIfCannotListen(error, address);
}

/** Prints the one line for a listen error and exits; rethrows any other error untouched. */
export function exitIfCannotListen(error: unknown, address: ListenAddress): never {
  const line = cannotListenLine(error, address);
  if (line === null) throw error;
  console.error(line);
  process.exit(EXIT_CANNOT_LISTEN);
}

/** One line naming the address and how to choose another, for the listen errors a user can fix; null otherwise. */
export function cannotListenLine(error: unknown, { host, port }: ListenAddress): string | null {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  switch (code) {
    case 'EADDRINUSE': {
      const other = port < MAX_TCP_PORT ? port + 1 : port - 1;
      return `port ${port} is already in use (is another server running?): choose another with --port ${other} or PORT=${other}`;
    }
    case 'EACCES': {
      const other = port < FIRST_UNPRIVILEGED_PORT ? DEFAULT_HTTP_PORT : port + 1;
      return `port ${port} needs privileges this user lacks (EACCES): choose another with --port ${other} or PORT=${other}`;
    }
    case 'EADDRNOTAVAIL':
      return `address ${host} is not on this machine (EADDRNOTAVAIL): choose another with --host 0.0.0.0 or HOST=0.0.0.0`;
    default:
      return null;
  }
}

/** Resolves with the listen error, or null once the probe has listened and closed again. */
function tryListen({ host, port }: ListenAddress): Promise<Error | null> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', resolve);
    probe.listen(port, host, () => probe.close(() => resolve(null)));
  });
}
