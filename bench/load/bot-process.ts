// One `game-client/bot.ts --report-on-stdin` process, seen from the bench:
// it starts with no bots, is given bots by `join` lines (and says when they
// connected), answers each request with a window report (a line on its
// stdin, a JSON line on its stdout), and ends cleanly when its stdin closes.
// The bench runs one per bot core: a process playing several rooms, never
// several processes taking turns on one core. Every wait is bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { bounded, exited, track } from './children.ts';
import { onCores } from '../common/pinning.ts';
import type { BotConnected, BotWindow } from './report.ts';

/** A window report is a few hundred bytes of work for the bot: it answers at once unless its loop is stuck. */
const REPORT_TIMEOUT_MS = 10_000;
/** Closing every peer connection and letting node-datachannel wind down (bot.ts shutdownNodeWebRtc). */
const STOP_TIMEOUT_MS = 10_000;
/** Lines of stderr kept to explain a bot process that died. */
const STDERR_TAIL_CHARS = 4_000;

export interface BotProcessOptions {
  /** The server its first bots join; each `join` names its own. */
  url: string;
  chatEveryS: number;
  connectTimeoutS: number;
  /** An upper bound on its life; the bench normally ends it sooner by closing its stdin. */
  durationS: number;
  /** The cores it may run on (a taskset list), or null: any (pinning.ts). */
  cores: string | null;
  /** Its bots' source addresses (`bot.ts --from`, e.g. "127.0.0.2-127.0.0.201"); none: the system's choice (127.0.0.1). */
  from?: string;
  /** Run it under `node --cpu-prof`, writing its profile into this directory when it exits. */
  cpuProfDir?: string;
}

/** Bots for a running bot process: `count` of them into `room` on `url`, paced within a share of the per-address join limit. */
export interface BotJoin {
  url: string;
  room: string;
  count: number;
  joinRatePerS: number;
  joinBurst: number;
}

export interface BotProcess {
  child: ChildProcess;
  /** The bots it was asked for so far. */
  readonly count: number;
  /** Adds bots; resolves once they all connected or gave up; rejects if the process dies first or within `timeoutMs`. */
  join(bots: BotJoin, timeoutMs: number): Promise<BotConnected>;
  /** Asks for what it measured since its previous report. */
  report(): Promise<BotWindow>;
  /** Closes its stdin (it prints its summary and exits), then SIGKILLs it if it does not within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

export function startBotProcess(options: BotProcessOptions): BotProcess {
  const args = [
    '--url',
    options.url,
    '--count',
    '0',
    '--chat-every',
    String(options.chatEveryS),
    '--connect-timeout',
    String(options.connectTimeoutS),
    '--duration',
    String(options.durationS),
    '--report-on-stdin',
    ...(options.from === undefined ? [] : ['--from', options.from]),
  ];
  const nodeArgs = options.cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir];
  const child = track(
    spawn(...onCores(options.cores, process.execPath, [...nodeArgs, '--import', 'tsx', 'game-client/bot.ts', ...args]), { stdio: ['pipe', 'pipe', 'pipe'] }),
  );
  child.stdin!.on('error', () => {}); // a dead bot's closed pipe: noticed through 'exit' instead
  let stderrTail = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL_CHARS)));

  /** Who waits for which `join`'s "connected" line, by its id. */
  const waitingForJoins = new Map<number, (report: BotConnected) => void>();
  const waitingForReports: ((report: BotWindow) => void)[] = [];
  let lastError = '';
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let message: { report?: string; id?: number; message?: string };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return; // not ours (a library's stray output)
    }
    if (message.report === 'connected' && message.id !== undefined) {
      waitingForJoins.get(message.id)?.(message as BotConnected);
      waitingForJoins.delete(message.id);
    } else if (message.report === 'window') waitingForReports.shift()?.(message as BotWindow);
    else if (message.report === 'error') lastError = message.message ?? 'an error';
  });
  const died = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`a bot process exited (${code ?? signal})${stderrTail ? `:\n${stderrTail}` : ''}${lastError ? ` (last error: ${lastError})` : ''}`)),
    ),
  );
  died.catch(() => {}); // only awaited through the races below

  let joins = 0;
  let count = 0;
  return {
    child,
    get count() {
      return count;
    },
    join(bots, timeoutMs) {
      const id = ++joins;
      count += bots.count;
      const connected = new Promise<BotConnected>((resolve) => waitingForJoins.set(id, resolve));
      child.stdin!.write(`join ${JSON.stringify({ id, ...bots })}\n`);
      return bounded(Promise.race([connected, died]), timeoutMs, `${bots.count} bots in ${bots.room} to connect`);
    },
    report() {
      const next = new Promise<BotWindow>((resolve) => waitingForReports.push(resolve));
      child.stdin!.write('report\n');
      return bounded(Promise.race([next, died]), REPORT_TIMEOUT_MS, 'a report from a bot process');
    },
    async stop(timeoutMs = STOP_TIMEOUT_MS) {
      child.stdin!.end();
      if (!(await exited(child, timeoutMs))) child.kill('SIGKILL');
    },
  };
}
