// Run by `npm test` before the tests: makes sure redis-server exists (the
// room directory is tested against a real Redis). Installs Debian's package
// as root with apt-get; otherwise fails saying how to install it.
import { ensureRedisServer } from './redis-server.ts';
import { defineCommand, flagsOrExit } from '../game-server/cli/flags.ts';

flagsOrExit(
  defineCommand({
    name: 'tsx scripts/ensure-redis.ts',
    about: "Makes sure redis-server exists for the room directory tests: as root with apt-get it installs Debian's redis-server.",
    flags: {},
  }),
);

try {
  console.log(`redis-server: ${ensureRedisServer()}`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
