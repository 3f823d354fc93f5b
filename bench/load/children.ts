// Every child process a bench starts (the load bench's server and bot
// processes, the transport bench's two sides), so none outlives it: on a
// normal end the bench stops them itself; on a failure, Ctrl-C or SIGTERM
// whatever is left is killed here, by pid.
import type { ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();
/** Time given to the async cleanup after Ctrl-C (the server writing its CPU profile) before the bench exits anyway. */
const INTERRUPT_CLEANUP_MS = 10_000;

/** Remembers `child` until it exits. */
export function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** SIGKILLs every tracked child still running. Synchronous, so it can run in an 'exit' handler. */
export function killAll(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
}

/**
 * Kills what is left when the bench exits for any reason, and on Ctrl-C or
 * SIGTERM first gives `cleanup` (bounded) a chance to stop things gently.
 */
export function killChildrenOnExit(cleanup: () => Promise<void>): void {
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the child processes`);
      const timer = setTimeout(() => process.exit(130), INTERRUPT_CLEANUP_MS);
      cleanup().finally(() => {
        clearTimeout(timer);
        process.exit(130);
      });
    });
  }
}

/** Waits until `child` has exited, at most `timeoutMs`; true if it did. */
export function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** `promise`, or a rejection naming `what` was awaited if it takes longer than `ms`. */
export function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
