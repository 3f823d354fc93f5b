// bench:fidelity's side of stream-observers.ts: spawns the process, waits
// until its clients are on both channels, then sends its JSON-line commands
// and reads the answers. Closing stdin ends it.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ObservedClient {
  /** Stream update ages since the last reset, ms. */
  ages: number[];
  /** Stream reconnects since the last reset. */
  reconnects: number;
}

export class ObserverLink {
  private readonly lines: AsyncIterator<string>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }

  /** Starts `count` observers, taking the source addresses `from` in turn, and resolves once they are all on both channels. */
  static async start(url: string, count: number, serverOrigin: number, from: readonly string[]): Promise<ObserverLink> {
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
        from.join(','),
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    child.stderr.pipe(process.stderr);
    const link = new ObserverLink(child);
    const first = await link.next();
    if (!('ready' in first)) throw new Error(`stream observers did not start: ${JSON.stringify(first)}`);
    return link;
  }

  /** Simulated loss on every observer's links (0 turns it off). */
  setLoss(lossPct: number): void {
    this.send({ loss: lossPct });
  }

  reset(): void {
    this.send({ reset: true });
  }

  async collect(): Promise<ObservedClient[]> {
    this.send({ collect: true });
    const answer = await this.next();
    return (answer as { clients: ObservedClient[] }).clients;
  }

  /** Ends the observers and waits for their process to go (at most 5 s), so their connections close before the server does. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill(), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private send(command: object): void {
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
