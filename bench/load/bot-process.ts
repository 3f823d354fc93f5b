// One `game-client/bot.ts --report-on-stdin` process, seen from the bench: it
// says when its bots are connected, answers each request with a window
// report (a line on its stdin, a JSON line on its stdout), and ends cleanly
// when its stdin closes. Every wait is bounded.
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
  url: string;
  count: number;
  /** Every bot of this process joins this room. */
  room: string;
  /** This process's share of the per-address join limit. */
  joinRatePerS: number;
  joinBurst: number;
  chatEveryS: number;
  connectTimeoutS: number;
  /** An upper bound on its life; the bench normally ends it sooner by closing its stdin. */
  durationS: number;
  /** The cores it may run on (a taskset list), or null: any (pinning.ts). */
  cores: string | null;
}

export interface BotProcess {
  child: ChildProcess;
  room: string;
  count: number;
  /** Resolves once all its bots connected or gave up; rejects if the process dies first or within `timeoutMs`. */
  connected(timeoutMs: number): Promise<BotConnected>;
  /** Asks for what it measured since its previous report. */
  report(): Promise<BotWindow>;
  /** Closes its stdin (it prints its summary and exits), then SIGKILLs it if it does not. */
  stop(): Promise<void>;
}

export function startBotProcess(options: BotProcessOptions): BotProcess {
  const args = [
    '--url', options.url,
    '--count', String(options.count),
    '--room', options.room,
    '--join-rate', String(options.joinRatePerS),
    '--join-burst', String(options.joinBurst),
    '--chat-every', String(options.chatEveryS),
    '--connect-timeout', String(options.connectTimeoutS),
    '--duration', String(options.durationS),
    '--report-on-stdin',
  ];
  const child = track(spawn(...onCores(options.cores, process.execPath, ['--import', 'tsx', 'game-client/bot.ts', ...args]), { stdio: ['pipe', 'pipe', 'pipe'] }));
  child.stdin!.on('error', () => {}); // a dead bot's closed pipe: noticed through 'exit' instead
  let stderrTail = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL_CHARS)));

  let onConnected: ((report: BotConnected) => void) | null = null;
  const connectedReport = new Promise<BotConnected>((resolve) => (onConnected = resolve));
  const waitingForReports: ((report: BotWindow) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let message: { report?: string };
    try {
      message = JSON.parse(line) as { report?: string };
    } catch {
      return; // not ours (a library's stray output)
    }
    if (message.report === 'connected') onConnected?.(message as BotConnected);
    else if (message.report === 'window') waitingForReports.shift()?.(message as BotWindow);
  });
  const died = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`bot process for ${options.room} exited (${code ?? signal})${stderrTail ? `:\n${stderrTail}` : ''}`)),
    ),
  );
  died.catch(() => {}); // only awaited through the races below

  return {
    child,
    room: options.room,
    count: options.count,
    connected: (timeoutMs) => bounded(Promise.race([connectedReport, died]), timeoutMs, `bots in ${options.room} to connect`),
    report() {
      const next = new Promise<BotWindow>((resolve) => waitingForReports.push(resolve));
      child.stdin!.write('report\n');
      return bounded(Promise.race([next, died]), REPORT_TIMEOUT_MS, `a report from the bots in ${options.room}`);
    },
    async stop() {
      child.stdin!.end();
      if (!(await exited(child, STOP_TIMEOUT_MS))) child.kill('SIGKILL');
    },
  };
}
