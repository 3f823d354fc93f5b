// Run by `npm test` before the tests: makes sure redis-server exists (the
// room directory is tested against a real Redis). Installs Debian's package
// as root with apt-get; otherwise fails saying how to install it.
import { ensureRedisServer } from './redis-server.ts';

try {
  console.log(`redis-server: ${ensureRedisServer()}`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
