// Run by `npm test` before the browser tests: makes sure a Chromium exists.
// As root with apt-get it installs Debian's `chromium`; otherwise it fails
// and says how to set CHROME_PATH. It never lets browser tests be skipped.
import { execFileSync } from 'node:child_process';
import { findChromium, HOW_TO_SET_CHROME_PATH } from './chromium.ts';
import { defineCommand, flagsOrExit } from '../game-server/cli/flags.ts';

flagsOrExit(
  defineCommand({
    name: 'tsx scripts/ensure-chromium.ts',
    about: "Makes sure a Chromium exists for the browser tests: as root with apt-get it installs Debian's chromium; otherwise says how to set CHROME_PATH.",
    flags: {},
  }),
);

const found = findChromium();
if (found) {
  console.log(`chromium: ${found}`);
  process.exit(0);
}
const isRoot = process.getuid?.() === 0;
const hasApt = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!isRoot || !hasApt) {
  console.error(HOW_TO_SET_CHROME_PATH);
  process.exit(1);
}
console.log('chromium: not found; installing Debian package `chromium` (root, apt-get)…');
execFileSync('apt-get', ['update'], { stdio: 'inherit' });
execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
  stdio: 'inherit',
  env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
});
const installed = findChromium();
if (!installed) {
  console.error(`apt-get installed chromium, but it was not found afterwards. ${HOW_TO_SET_CHROME_PATH}`);
  process.exit(1);
}
console.log(`chromium: ${installed}`);
