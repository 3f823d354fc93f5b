// node-datachannel's cleanup() — stopping its native threads, once per
// process at exit — used to crash the process when a data channel that never
// opened had been garbage-collected (a segfault, or "The futex facility
// returned an unexpected error code": the test workers that "exited
// unexpectedly"). The fixture makes exactly that happen through a real
// server, in a process of its own, and must get through it
// (game-server/transport/geckos/native-channel-holds.ts).
import { describe, expect, it } from 'vitest';
import { startScript } from './script-process.ts';

const FIXTURE = 'test/integration/fixtures/handshakes-then-exit.ts';
const EXIT_TIMEOUT_MS = 40_000;

describe('stopping node-datachannel at exit', () => {
  it('survives channels that never opened, closed with their server and collected', async () => {
    const fixture = startScript(FIXTURE, ['3']);
    try {
      const code = await fixture.exited(EXIT_TIMEOUT_MS);
      const output = fixture.stdout() + fixture.stderr();
      expect(output).toContain('handshakes begun 3');
      // Held while their handshakes were pending…
      expect(output).toContain('awaiting close before 3');
      // …and every close delivered once the server closed them, channel first.
      expect(output).toContain('awaiting close after 0');
      expect(code, output.slice(-2000)).toBe(0);
      expect(output).toContain('stopped');
    } finally {
      fixture.kill();
    }
  });
});
