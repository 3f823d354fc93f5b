// Which cores a benchmark gives its processes (bench:load, bench:transport).
// Unpinned, the server and its bots (or the transport floor's two sides)
// share every core, and each figure mixes the server's cost with the bots'
// and with the contention between them. Pinned (Linux, taskset), each server
// process has a core of its own and the bots share the rest, so "server % of
// its core" is the server's alone. With fewer cores than
// servers + 1 the servers share core 0: their numbers cannot show scaling,
// and the plan says so.
import { spawnSync } from 'node:child_process';

export interface PinPlan {
  /** Each server process's cores (a taskset list such as "0"), or null: not pinned. */
  servers: (string | null)[];
  /** The bots' cores, or null: not pinned. */
  bots: string | null;
  /** One line for the bench's header: what was pinned where, or why nothing was. */
  note: string;
}

/** The plan for `procs` server processes on `cores` cores; `canPin` is false off Linux or without taskset. */
export function planPinning(cores: number, procs: number, canPin: boolean): PinPlan {
  const unpinned = (why: string): PinPlan => ({ servers: Array<null>(procs).fill(null), bots: null, note: `not pinned: ${why}` });
  if (!canPin) return unpinned('taskset is not available (Linux only): server and bots share every core');
  if (cores < 2) return unpinned('one core: server and bots must share it');
  const range = (from: number, to: number) => (from === to ? String(from) : `${from}-${to}`);
  if (cores >= procs + 1) {
    const servers = Array.from({ length: procs }, (_, i) => String(i));
    return {
      servers,
      bots: range(procs, cores - 1),
      note: `pinned: ${procs === 1 ? 'the server on core 0' : `server i on core i (0–${procs - 1})`}, the bots on ${range(procs, cores - 1)}`,
    };
  }
  return {
    servers: Array<string>(procs).fill('0'),
    bots: range(1, cores - 1),
    note: `pinned: all ${procs} servers share core 0 (${cores} cores leave no core each beside the bots, so these numbers cannot show scaling), the bots on ${range(1, cores - 1)}`,
  };
}

/** Whether `taskset` runs here (util-linux) and may use cores 0 and 1 (a container's cpuset can forbid them). */
export function tasksetAvailable(): boolean {
  if (process.platform !== 'linux') return false;
  return ['0', '1'].every((core) => spawnSync('taskset', ['-c', core, 'true'], { stdio: 'ignore', timeout: 5_000 }).status === 0);
}

/** The command and arguments that run `command args` on `cores` (unchanged when `cores` is null). taskset execs, so the PID is the program's. */
export function onCores(cores: string | null, command: string, args: string[]): [string, string[]] {
  return cores === null ? [command, args] : ['taskset', ['-c', cores, command, ...args]];
}
