// The server as production runs it: protocol/ and game-server/ compiled to
// dist-server/ (npm run build, tsconfig.server.json), run with plain node.
// `npm test` builds before it tests; a single file run by hand needs the
// build too, and says so instead of failing on a missing module.
import { existsSync } from 'node:fs';

/** The compiled entry point that `npm start` and the Docker image run. */
export const COMPILED_SERVER = 'dist-server/game-server/main.js';

/** COMPILED_SERVER, after checking it was built. */
export function compiledServer(): string {
  if (!existsSync(COMPILED_SERVER)) throw new Error(`${COMPILED_SERVER} is missing: run \`npm run build\` first (\`npm test\` does)`);
  return COMPILED_SERVER;
}
