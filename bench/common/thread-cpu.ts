// CPU time of one Linux process, thread by thread, from /proc: the transport
// and load benches must tell the JavaScript main thread's
// share from node-datachannel's native threads (ICE, DTLS/SCTP, its thread
// pool), which process.cpuUsage() lumps together. /proc/PID/task/TID/stat
// holds each thread's user and system ticks (fields 14 and 15) and its name;
// /proc/PID/stat the whole process's, threads that have exited included.
// Parsing is pure (parseTaskStat, cpuBetween); only readProcessCpu and
// clockTicksPerSecond touch the system. Elsewhere than Linux they read null.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** What the kernel uses when getconf cannot be asked: USER_HZ is 100 on every mainstream Linux. */
const DEFAULT_TICKS_PER_SECOND = 100;
/** utime and stime are fields 14 and 15 of a stat line; counted from the field after the name (field 3), they are the 12th and 13th. */
const UTIME_AFTER_NAME = 11;
const STIME_AFTER_NAME = 12;

/** One thread's (or a whole process's) line of /proc/…/stat: its id, name and CPU ticks so far. */
export interface TaskStat {
  id: number;
  /** The thread's name (its comm: at most 15 bytes, may hold spaces and parentheses). */
  name: string;
  userTicks: number;
  systemTicks: number;
}

/**
 * Parses one /proc/PID/stat or /proc/PID/task/TID/stat line; null if it is
 * not one. The name sits in parentheses and may itself hold spaces and
 * parentheses, so it runs from the first "(" to the last ")".
 */
export function parseTaskStat(line: string): TaskStat | null {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 1 || close < open) return null;
  const id = Number(line.slice(0, open).trim());
  const afterName = line
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const userTicks = Number(afterName[UTIME_AFTER_NAME]);
  const systemTicks = Number(afterName[STIME_AFTER_NAME]);
  if (![id, userTicks, systemTicks].every((n) => Number.isInteger(n) && n >= 0)) return null;
  return { id, name: line.slice(open + 1, close), userTicks, systemTicks };
}

/** One reading of a process: the whole process's ticks and each thread's, at one moment. */
export interface ProcessCpuReading {
  pid: number;
  atMs: number;
  process: TaskStat;
  threads: TaskStat[];
}

/** CPU of a group of same-named threads over a window (the main thread is a group of its own). */
export interface ThreadGroupCpu {
  /** The threads' name; the JavaScript main thread (thread id = pid) is "main (JS)". */
  name: string;
  threads: number;
  cpuMs: number;
}

export interface CpuBetween {
  windowMs: number;
  /** The whole process, threads that ended during the window included. */
  processCpuMs: number;
  /** The JavaScript main thread alone. */
  mainCpuMs: number;
  /** Every other thread: node's own (V8 platform, libuv pool) and native libraries' (node-datachannel). */
  otherThreadsCpuMs: number;
  /** By thread name, most CPU first. */
  groups: ThreadGroupCpu[];
}

export const MAIN_THREAD = 'main (JS)';

/**
 * CPU used between two readings of one process, in ms. A thread that started
 * during the window counts from zero; one that ended is only in the process
 * total (its ticks leave the task list with it).
 */
export function cpuBetween(start: ProcessCpuReading, end: ProcessCpuReading, ticksPerSecond: number): CpuBetween {
  const ms = (ticks: number) => (1000 * ticks) / ticksPerSecond;
  const ticksOf = (t: TaskStat) => t.userTicks + t.systemTicks;
  const before = new Map(start.threads.map((t) => [t.id, ticksOf(t)]));
  const groups = new Map<string, ThreadGroupCpu>();
  let mainCpuMs = 0;
  for (const thread of end.threads) {
    const cpuMs = ms(ticksOf(thread) - (before.get(thread.id) ?? 0));
    const name = thread.id === end.pid ? MAIN_THREAD : thread.name;
    if (thread.id === end.pid) mainCpuMs = cpuMs;
    const group = groups.get(name) ?? { name, threads: 0, cpuMs: 0 };
    group.threads += 1;
    group.cpuMs += cpuMs;
    groups.set(name, group);
  }
  const processCpuMs = ms(ticksOf(end.process) - ticksOf(start.process));
  return {
    windowMs: end.atMs - start.atMs,
    processCpuMs,
    mainCpuMs,
    otherThreadsCpuMs: processCpuMs - mainCpuMs,
    groups: [...groups.values()].sort((a, b) => b.cpuMs - a.cpuMs || a.name.localeCompare(b.name)),
  };
}

/** Reads /proc/PID/stat and every /proc/PID/task/TID/stat; null if the process is gone or this is not Linux. */
export function readProcessCpu(pid: number, now: () => number = () => performance.now()): ProcessCpuReading | null {
  try {
    const atMs = now();
    const processStat = parseTaskStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    if (!processStat) return null;
    const threads: TaskStat[] = [];
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const thread = parseTaskStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
        if (thread) threads.push(thread);
      } catch {
        // the thread ended between the listing and the read: its ticks are in the process total
      }
    }
    return { pid, atMs, process: processStat, threads };
  } catch {
    return null;
  }
}

/** The kernel's clock ticks per second for /proc times (USER_HZ), from getconf; 100 if it cannot be asked. */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5_000 }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : DEFAULT_TICKS_PER_SECOND;
  } catch {
    return DEFAULT_TICKS_PER_SECOND;
  }
}
