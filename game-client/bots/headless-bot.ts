// One headless player for Node: the browser's NetClient over both real
// channels, steered by play/bot-brain.ts. It keeps the newest world it saw to
// steer by, and counts what a load test asks of a client: events, chat lines
// received, server errors, and how long it took to connect.
import type { EntityState } from '../../protocol/wire/snapshot.ts';
import { NetClient } from '../net/net-client.ts';
import { randomWaypoint, steer, type BotGoal } from '../play/bot-brain.ts';

/** How often a connecting bot looks whether its data channel has opened. */
const OPEN_POLL_MS = 50;

export interface HeadlessBotOptions {
  url: string;
  name: string;
  /** The room to ask for; none for quick play. */
  room?: string;
  /** Each update that came over the data channel with its age (ms since the server sent its tick). */
  onUpdateAge: (ageMs: number) => void;
}

export class HeadlessBot {
  readonly client: NetClient;
  events = 0;
  chatReceived = 0;
  readonly errors: string[] = [];
  /** From the start of its connect to its data channel open; null until then. */
  connectMs: number | null = null;
  /** Newest world state seen, to steer by. */
  private world: EntityState[] = [];
  private goal: BotGoal = { coinId: null, waypoint: randomWaypoint(Math.random) };

  constructor(options: HeadlessBotOptions) {
    const { url, name, room } = options;
    this.client = new NetClient(
      // No page draws a bot's net graph: its meters keep the counts and ages, not the graph's bookkeeping.
      { url, name, netGraph: false, ...(room !== undefined ? { room } : {}) },
      {
        onEvent: (event) => {
          this.events++;
          if (event.type === 'chat') this.chatReceived++;
        },
        onSnapshot: (snapshot, via, ageMs) => {
          if (via === 'datagram' && ageMs !== null) options.onUpdateAge(ageMs);
          this.world = snapshot.entities;
        },
        onServerError: (error) => this.errors.push(`${error.code}: ${error.message}`),
      },
    );
  }

  get name(): string {
    return this.client.name;
  }

  /** On both channels: the stream welcomed it and its data channel is open. */
  get onBothChannels(): boolean {
    return this.client.streamState === 'open' && this.client.datagramState === 'open';
  }

  /**
   * Joins and waits for the data channel, within `timeoutMs`. Rejects with
   * what it was waiting for; the caller counts it as a failed connect.
   */
  async connect(timeoutMs: number): Promise<void> {
    const startedAt = performance.now();
    const deadline = startedAt + timeoutMs;
    await withTimeout(this.client.start(), timeoutMs, 'stream welcome');
    while (this.client.datagramState !== 'open') {
      if (performance.now() > deadline) {
        throw new Error(`datagram channel not open (${this.client.datagramNote || this.client.datagramState})`);
      }
      await new Promise((resolve) => setTimeout(resolve, OPEN_POLL_MS));
    }
    this.connectMs = performance.now() - startedAt;
  }

  /** One tick's input: toward a coin or a waypoint, from where the newest snapshot put it. */
  sendInput(): void {
    const own = this.world.find((e) => e.id === this.client.playerId);
    if (own) {
      const { input, goal } = steer(own, this.world, this.goal, Math.random);
      this.goal = goal;
      this.client.inputs.send(input);
    } else {
      this.client.inputs.send({ moveX: 0, moveY: 0 });
    }
  }

  chat(): void {
    this.client.chat(`hello from ${this.name}`);
  }

  close(): void {
    this.client.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<T>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
