// The game server under test, in a process of its own (as in bench/soak), so
// its CPU time and memory in /metrics are its alone. Bound to 127.0.0.1, so
// its WebRTC sockets bind there too and all traffic stays on loopback.
import { spawn, type ChildProcess } from 'node:child_process';
import { exited, track } from './children.ts';
import { onCores } from '../common/pinning.ts';

const START_TIMEOUT_MS = 20_000;
/** Time to close its rooms and, with --cpu-prof, write the profile. */
const STOP_TIMEOUT_MS = 15_000;
const URL_IN_LOG = /"url":"(http:[^"]+)"/;
/** The ops listener (/metrics): in the same start line. */
const OPS_URL_IN_LOG = /"opsUrl":"(http:[^"]+)"/;
/** Its stderr is passed through, and the end of it kept for the report if it dies. */
const STDERR_TAIL_CHARS = 2_000;

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Its ops listener, where /metrics is. */
  opsUrl: string;
  /** The last of what it wrote to stderr (a crash says why there). */
  stderrTail(): string;
  /** SIGTERM (a clean shutdown, which writes a CPU profile), then SIGKILL if it does not end in time. */
  stop(): Promise<void>;
}

/** The load bench's server flags: no bound on what one address holds (see above). */
const UNBOUNDED_ADDRESS = ['--max-seats-per-address', '100000', '--max-rooms-per-address', '1024'];

/**
 * Starts `game-server/main.ts --host 127.0.0.1 --port 0 ...serverArgs`; with
 * `cpuProfDir`, under `node --cpu-prof`; with `cores`, on those cores only
 * (pinning.ts).
 */
export async function startServerProcess(serverArgs: string[], cpuProfDir?: string, cores: string | null = null): Promise<ServerProcess> {
  const nodeArgs = cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', cpuProfDir];
  // The bench's bots come from an address each (bot-plan.ts), but a process given more bots than its range
  // has addresses wraps round them: lift the per-address bounds (players, rooms opened) that would then
  // refuse the 17th bot on one address, as they would refuse a 17th player from one NAT address.
  const serverArgv = [...nodeArgs, '--import', 'tsx', 'game-server/main.ts', '--host', '127.0.0.1', '--port', '0', ...UNBOUNDED_ADDRESS, ...serverArgs];
  const child = track(
    spawn(...onCores(cores, process.execPath, serverArgv), {
      // info: the line that says where it listens is at info level (and joins logged there are part of a real server's cost).
      env: { ...process.env, LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, // its start line is read as JSON
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stderrTail = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL_CHARS);
  });
  let output = '';
  const onData = (chunk: Buffer) => (output += chunk.toString());
  child.stdout!.on('data', onData);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!URL_IN_LOG.test(output) || !OPS_URL_IN_LOG.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`the server did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.stdout!.off('data', onData);
  child.stdout!.resume(); // keep draining its logs, unread
  return {
    child,
    url: URL_IN_LOG.exec(output)![1]!,
    opsUrl: OPS_URL_IN_LOG.exec(output)![1]!,
    stderrTail: () => stderrTail,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      if (!(await exited(child, STOP_TIMEOUT_MS))) child.kill('SIGKILL');
    },
  };
}
