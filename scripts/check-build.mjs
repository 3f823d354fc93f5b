// Run by `npm start` just before the compiled server. Plain JavaScript on
// plain node, as the server is: `npm start` must work in a production install
// (npm ci --omit=dev), which has no tsx to run a .ts file. It ends `npm start`
// with one line when there is no build (instead of Node's "Cannot find
// module" and a stack), and warns when this checkout's sources changed after
// the last build: `npm start` runs the build, not the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SERVER_ENTRY = 'dist-server/game-server/main.js';
const CLIENT_ENTRY = 'dist/index.html';
/** Enough for this repository's folders many times over; a walk never runs away. */
const MAX_FILES_WALKED = 5_000;

if (!existsSync(SERVER_ENTRY)) {
  console.error(`not built: ${SERVER_ENTRY} is missing. Run \`npm run build\` first (the client into dist/, the server into dist-server/), then \`npm start\`; \`npm run dev\` runs the sources instead.`);
  process.exit(1);
}

/** The newest file under `dir` (a source folder), or null without one (a production install has none). */
function newest(dir) {
  let found = null;
  let walked = 0;
  const stack = [dir];
  while (stack.length > 0 && walked < MAX_FILES_WALKED) {
    const current = stack.pop();
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) stack.push(path);
      else if (entry.isFile()) {
        walked += 1;
        const mtimeMs = statSync(path).mtimeMs;
        if (!found || mtimeMs > found.mtimeMs) found = { path, mtimeMs };
      }
    }
  }
  return found;
}

const builds = [
  { entry: SERVER_ENTRY, sources: ['protocol', 'game-server'] },
  { entry: CLIENT_ENTRY, sources: ['protocol', 'game-client'] },
];
for (const { entry, sources } of builds) {
  if (!existsSync(entry)) continue; // a missing client is the server's to report: its pages say "not built"
  const builtAt = statSync(entry).mtimeMs;
  const changed = sources.map(newest).find((file) => file && file.mtimeMs > builtAt);
  if (changed) console.warn(`${changed.path} changed after the last build (${entry}): this runs the old build. \`npm run build\` to run the new code, or \`npm run dev\`.`);
}
