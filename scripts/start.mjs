// `npm start`: the compiled server on plain node, built first when this
// checkout can build it and the build is missing or older than the sources.
// Plain JavaScript, as the server is: `npm start` must also work in a
// production install (npm ci --omit=dev), which has neither tsx nor Vite —
// there a missing build ends it with one line instead of Node's "Cannot
// find module" and a stack, and a stale one cannot happen (no sources).
//
//   npm start [-- server flags]      npm start -- --help lists them (nothing is built for that)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const SERVER_ENTRY = 'dist-server/game-server/main.js';
const CLIENT_ENTRY = 'dist/index.html';
/** Present in a development install only: then `npm run build` can run here. */
const BUILD_TOOL = 'node_modules/vite/package.json';
/** Enough for this repository's folders many times over; a walk never runs away. */
const MAX_FILES_WALKED = 5_000;

const BUILDS = [
  { entry: SERVER_ENTRY, sources: ['protocol', 'game-server'] },
  { entry: CLIENT_ENTRY, sources: ['protocol', 'game-client'] },
];

const args = process.argv.slice(2);
const wantsHelp = args.includes('--help') || args.includes('-h');
const canBuild = existsSync(BUILD_TOOL);

if (!wantsHelp) {
  const why = whyBuild();
  if (why && canBuild) {
    console.error(`${why}: building first (npm run build)`);
    const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  } else if (why && !existsSync(SERVER_ENTRY)) {
    console.error(
      `not built: ${SERVER_ENTRY} is missing. Run \`npm run build\` first (the client into dist/, the server into dist-server/), then \`npm start\`; \`npm run dev\` runs the sources instead.`,
    );
    process.exit(1);
  } else if (why) {
    console.warn(`${why}: this runs the old build. \`npm run build\` to run the new code, or \`npm run dev\`.`);
  }
}

// The server reads its flags from process.argv, as if started itself; its stack traces point into the TypeScript.
process.setSourceMapsEnabled(true);
await import(pathToFileURL(resolve(SERVER_ENTRY)).href);

/** Why the build must run (a part missing, or a source newer than it), or null when it is current. */
function whyBuild() {
  if (!existsSync(SERVER_ENTRY)) return `${SERVER_ENTRY} is missing`;
  for (const { entry, sources } of BUILDS) {
    if (!existsSync(entry)) {
      if (entry === CLIENT_ENTRY && !canBuild) continue; // a missing client is the server's to report: its pages say "not built"
      return `${entry} is missing`;
    }
    const builtAt = statSync(entry).mtimeMs;
    const changed = sources.map(newest).find((file) => file && file.mtimeMs > builtAt);
    if (changed) return `${changed.path} changed after the last build (${entry})`;
  }
  return null;
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
