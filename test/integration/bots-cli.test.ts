// `npm run bots` as a real process against a real server: progress on a
// terminal (stderr), a summary on stdout, and with --json nothing but the one
// object that tools parse. The process ends by itself: every timer is cleared.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../game-server/server.ts';
import { startTestServer, waitFor } from './harness.ts';
import { startScript, type ScriptProcess } from './script-process.ts';
import { parseRoomList } from '../../protocol/wire/room-list.ts';

/** Long enough for one progress line (every 5 s) after the bots connect. */
const RUN_S = 6;
/** Connecting, the run, closing both channels, on 2 busy cores. */
const EXIT_TIMEOUT_MS = 30_000;
/** The shortest report window the stdin test asks for. */
const WINDOW_MS = 300;

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
  const pipeStdin = extra.includes('--report-on-stdin');
  const bots = startScript('game-client/bot.ts', ['--url', server.url, '--count', '2', ...extra], {}, pipeStdin ? 'pipe' : 'ignore');
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
    expect(progress).toMatch(/^ *\d+\.\d s: 2\/2 on both channels; last 5 s: [1-9]\d* datagrams, \d+\.\d % lost, update age p50 \d+\.\d ms, \d+ events$/m);
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

  it('answers each line on stdin with a window report, and ends with the summary when stdin closes (the load bench)', async () => {
    const bots = runBots('--duration', '120', '--report-on-stdin');
    /** Every complete JSON line so far (the last piece may still be arriving); anything else on stdout fails the test. */
    const reports = () => {
      if (bots.child.exitCode !== null) throw new Error(`the bots exited early (${bots.child.exitCode}): ${bots.stderr()}`);
      return bots
        .stdout()
        .split('\n')
        .slice(0, -1)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    };
    await waitFor(() => reports().find((r) => r.report === 'connected'), 'the connected report', EXIT_TIMEOUT_MS);
    expect(reports()[0]).toMatchObject({ report: 'connected', clients: 2, connected: 2, errors: [] });
    // Ask for windows until one has both bots playing and update ages in it
    // (ages start once the page's clock has synced, a ping after the
    // welcome). Each answer opens the next window; asking at most every
    // WINDOW_MS gives each window time for a few updates (30 a second).
    let asked = 0;
    let askedAtMs = Date.now();
    const ages = (window: Record<string, unknown>) => Object.values(window.ageHistogram as Record<string, number>).reduce((a, b) => a + b, 0);
    const playing = await waitFor(
      () => {
        const windows = reports().filter((r) => r.report === 'window');
        if (windows.length < asked) return undefined; // the answer is on its way
        const newest = windows.at(-1);
        if (newest && newest.playing === 2 && ages(newest) > 0) return newest;
        if (Date.now() - askedAtMs >= WINDOW_MS) {
          bots.child.stdin!.write('window\n');
          asked++;
          askedAtMs = Date.now();
        }
        return undefined;
      },
      'a window with both bots playing',
      EXIT_TIMEOUT_MS,
    );
    expect(playing).toMatchObject({ clients: 2, connected: 2 });
    expect((playing.datagram as { received: number }).received).toBeGreaterThan(0);
    bots.child.stdin!.end(); // ends the run long before its 120 s
    expect(await bots.exited(EXIT_TIMEOUT_MS)).toBe(0);
    expect(bots.stderr()).toBe('');
    expect(JSON.parse(bots.stdout().trim().split('\n').at(-1)!)).toMatchObject({ clients: 2, connected: 2, errors: [] });
  }, 100_000); // past its three 30 s waits, so theirs is the message a failure shows

  it("starts empty and plays the bots each join line on stdin adds, answering with that line's id (the load bench)", async () => {
    const bots = runBots('--count', '0', '--duration', '120', '--report-on-stdin');
    const reports = () =>
      bots
        .stdout()
        .split('\n')
        .slice(0, -1)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    await waitFor(() => reports().find((r) => r.report === 'connected' && r.id === 0), 'the empty start', EXIT_TIMEOUT_MS);
    expect(reports()[0]).toMatchObject({ report: 'connected', id: 0, clients: 0, connected: 0 });
    bots.child.stdin!.write('join {"id":7}\n');
    await waitFor(() => reports().find((r) => r.report === 'error'), 'the error for a bad join line', EXIT_TIMEOUT_MS);
    expect(reports().find((r) => r.report === 'error')!.message).toMatch(/^join: url: /);
    const join = { id: 7, url: server.url, room: 'grown', count: 2, joinRatePerS: 2, joinBurst: 2 };
    bots.child.stdin!.write(`join ${JSON.stringify(join)}\n`);
    const connected = await waitFor(() => reports().find((r) => r.report === 'connected' && r.id === 7), 'the join to connect', EXIT_TIMEOUT_MS);
    expect(connected).toMatchObject({ clients: 2, connected: 2, errors: [] });
    const list = parseRoomList(await (await fetch(`${server.url}/rooms`)).json());
    expect(list.ok && list.value.rooms.find((room) => room.name === 'grown')?.players).toBe(2);
    bots.child.stdin!.end();
    expect(await bots.exited(EXIT_TIMEOUT_MS)).toBe(0);
    expect(JSON.parse(bots.stdout().trim().split('\n').at(-1)!)).toMatchObject({ clients: 2, connected: 2, errors: [] });
  }, 100_000);

  it('says in one line what is wrong with a flag, then the usage, and exits 2', async () => {
    const bots = startScript('game-client/bot.ts', ['--cuont', '3']);
    started.push(bots);
    expect(await bots.exited(EXIT_TIMEOUT_MS)).toBe(2);
    const [line, blank, ...usage] = bots.stderr().trim().split('\n');
    expect(line).toMatch(/^.*'--cuont'.*$/);
    expect(blank).toBe('');
    expect(usage[0]).toBe('Usage: npm run bots -- [flags]');
    expect(usage.join('\n')).toMatch(/^ {2}--count N +bots to connect .*\(default 4\)$/m);
    expect(bots.stdout()).toBe('');
  }, 40_000);
});
