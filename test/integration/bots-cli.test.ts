// `npm run bots` as a real process against a real server: progress on a
// terminal (stderr), a summary on stdout, and with --json nothing but the one
// object that tools parse. The process ends by itself: every timer is cleared.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../game-server/server.ts';
import { startTestServer } from './harness.ts';
import { startScript, type ScriptProcess } from './script-process.ts';

/** Long enough for one progress line (every 5 s) after the bots connect. */
const RUN_S = 6;
/** Connecting, the run, closing both channels, on 2 busy cores. */
const EXIT_TIMEOUT_MS = 30_000;

let server: RunningServer;
const started: ScriptProcess[] = [];

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  for (const bots of started) bots.kill();
  await server?.close();
});

function runBots(...extra: string[]): ScriptProcess {
  const bots = startScript('game-client/bot.ts', ['--url', server.url, '--count', '2', ...extra]);
  started.push(bots);
  return bots;
}

describe('npm run bots', () => {
  it('shows the connected count, then a progress line every few seconds, then a summary', async () => {
    const bots = runBots('--duration', String(RUN_S));
    expect(await bots.exited(EXIT_TIMEOUT_MS)).toBe(0);
    const progress = bots.stderr();
    expect(progress).toContain(`connecting 2 bots to ${server.url}`);
    expect(progress).toMatch(/^2\/2 bots connected in \d+\.\d s; running for 6 s$/m);
    expect(progress).toMatch(
      /^ *\d+\.\d s: 2\/2 on both channels; last 5 s: [1-9]\d* datagrams, \d+\.\d % lost, update age p50 \d+\.\d ms, \d+ events$/m,
    );
    expect(bots.stdout()).toMatch(/^2\/2 clients connected for \d+(\.\d)? s$/m);
  }, 40_000);

  it('prints only the final JSON object with --json', async () => {
    const bots = runBots('--duration', '1', '--json');
    expect(await bots.exited(EXIT_TIMEOUT_MS)).toBe(0);
    expect(bots.stderr()).toBe('');
    const lines = bots.stdout().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ clients: 2, connected: 2, errors: [] });
  }, 40_000);
});
