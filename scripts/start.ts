// `npm start`: build the browser client into dist/, then serve it with the
// game. Flags after `npm start --` and the environment reach both steps, so
// the port checked is the port served. The port is checked before the build:
// a second start on a busy port used to rebuild dist/ under the running
// server, then die on a raw EADDRINUSE. `--help` prints the server's flags.
import { configOrExit, portFreeOrExit } from '../game-server/preflight.ts';
import { buildClient } from './cli/build-client.ts';

await portFreeOrExit(configOrExit(process.argv.slice(2), process.env));
await buildClient();
// main.ts reads the same flags and environment, and owns signals and shutdown from here.
await import('../game-server/main.ts');
