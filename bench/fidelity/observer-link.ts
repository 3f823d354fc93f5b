// bench:fidelity's side of stream-observers.ts: spawns one process per
// source address, waits until their clients are on both channels, then sends
// the JSON-line commands to all and reads the answers. Closing stdin ends a
// process.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ObservedClient {
  /** Stream update ages since the last reset, ms. */
  ages: number[];
  /** Stream reconnects since the last reset. */
  reconnects: number;
}

/**
 * The observers, one process per source address: a client keeps its
 * process's address when it reconnects, so each address holds the same
 * share of seats all run long (the server seats DEFAULT_MAX_SEATS_PER_ADDRESS
 * per address; in one process with two addresses, each new socket takes the
 * next address, and reconnects could pile a share onto one of them).
 */
export class ObserverLink {
  private constructor(private readonly processes: ObserverProcess[]) {}

  /** Starts `count` observers spread evenly over the source addresses `from` and resolves once they are all on both channels. */
  static async start(url: string, count: number, serverOrigin: number, from: readonly string[]): Promise<ObserverLink> {
    const shares = from.map((_, i) => Math.floor(count / from.length) + (i < count % from.length ? 1 : 0));
    const processes: ObserverProcess[] = [];
    try {
      // One after another: each process opens its sockets in turn (stream-observers.ts), and the signaling requests all come from one address.
      for (const [i, share] of shares.entries()) {
        if (share > 0) processes.push(await ObserverProcess.start(url, share, serverOrigin, from[i]!));
      }
    } catch (error) {
      await Promise.all(processes.map((p) => p.close()));
      throw error;
    }
    return new ObserverLink(processes);
  }

  /** Simulated loss on every observer's links (0 turns it off). */
  setLoss(lossPct: number): void {
    for (const p of this.processes) p.send({ loss: lossPct });
  }

  reset(): void {
    for (const p of this.processes) p.send({ reset: true });
  }

  /** Every observer's ages and reconnects, in the same order every window (model-replay.ts matches them by position). */
  async collect(): Promise<ObservedClient[]> {
    const answers = await Promise.all(this.processes.map((p) => p.collect()));
    return answers.flat();
  }

  /** Ends every observer process, so their connections close before the server does. */
  async close(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.close()));
  }
}

/** One stream-observers.ts process: its clients all from one address. */
class ObserverProcess {
  private readonly lines: AsyncIterator<string>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }

  static async start(url: string, count: number, serverOrigin: number, from: string): Promise<ObserverProcess> {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/fidelity/stream-observers.ts',
        '--url',
        url,
        '--count',
        String(count),
        '--server-origin',
        String(serverOrigin),
        '--from',
        from,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    child.stderr.pipe(process.stderr);
    const observers = new ObserverProcess(child);
    const first = await observers.next();
    if (!('ready' in first)) throw new Error(`stream observers did not start: ${JSON.stringify(first)}`);
    return observers;
  }

  async collect(): Promise<ObservedClient[]> {
    this.send({ collect: true });
    const answer = await this.next();
    return (answer as { clients: ObservedClient[] }).clients;
  }

  /** Ends the process and waits for it to go (at most 5 s). */
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill(), 5_000);
    await exited;
    clearTimeout(timer);
  }

  send(command: object): void {
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
  }

  private async next(): Promise<Record<string, unknown>> {
    for (;;) {
      const { value, done } = await this.lines.next();
      if (done) throw new Error('stream observers ended');
      // The server's log lines are not ours; only our JSON objects with a known key.
      try {
        const parsed = JSON.parse(value) as Record<string, unknown>;
        if ('ready' in parsed || 'clients' in parsed) return parsed;
      } catch {
        // not JSON: ignore
      }
    }
  }
}
