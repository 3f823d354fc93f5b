// Every bot of one process, played as a browser plays: one input loop at the
// server's tick rate for all of them (a browser has one requestAnimationFrame
// loop, not one timer per player), one chat timer, one set of measurements.
// The fleet can grow while it plays: the load bench starts one bot process
// per bot core and asks it for more bots at each step (bot.ts, `join` lines
// on stdin), because several bot processes sharing one core wait for each
// other's turn on it, and that wait shows up as update age.
import { DEFAULT_TICK_RATE_HZ } from '../../protocol/constants.ts';
import { startInputLoop } from '../net/input-loop.ts';
import { BotMeasurements } from './bot-measurements.ts';
import { HeadlessBot } from './headless-bot.ts';

/** Spacing of the connects within a join burst: WebRTC setup is the expensive part, so even the burst is spread a little. */
const BURST_CONNECT_SPACING_MS = 25;

/** A group of bots to connect, paced within a share of the server's per-address join limit. */
export interface BotBatch {
  url: string;
  count: number;
  /** The room bot i of the batch asks for (undefined: quick play). */
  roomFor: (i: number) => string | undefined;
  joinRatePerS: number;
  joinBurst: number;
  connectTimeoutMs: number;
}

/** How a batch's connects went: what the bench's "connected" report carries. */
export interface BatchConnected {
  clients: number;
  connected: number;
  connectMs: number[];
  errors: string[];
}

export class BotFleet {
  readonly bots: HeadlessBot[] = [];
  readonly measurements = new BotMeasurements(this.bots);
  private stopInputs: (() => void) | null = null;
  private chatTimer: ReturnType<typeof setInterval> | null = null;

  /** `chatEveryS`: each bot chats with probability 1/chatEveryS each second. */
  constructor(private readonly chatEveryS: number) {}

  /** Connects a batch of new bots, each after its pacing delay; resolves when every one connected or gave up (never rejects). */
  async add(batch: BotBatch): Promise<BatchConnected> {
    const added = Array.from(
      { length: batch.count },
      (_, i) =>
        new HeadlessBot({
          url: batch.url,
          name: `bot-${this.bots.length + i + 1}`,
          room: batch.roomFor(i),
          onUpdateAge: (ageMs) => this.measurements.recordAge(ageMs),
        }),
    );
    this.bots.push(...added);
    // Batches connect at the same time: each counts its own bots, not the fleet's totals.
    const outcomes = await Promise.all(added.map((bot, i) => this.connect(bot, batch, connectDelayMs(i, batch))));
    const errors = outcomes.filter((outcome): outcome is string => outcome !== null);
    return {
      clients: batch.count,
      connected: batch.count - errors.length,
      connectMs: added.flatMap((b) => (b.connectMs === null ? [] : [Math.round(b.connectMs)])),
      errors,
    };
  }

  /** Starts the one input loop and the chat timer (once; bots added later join them). */
  play(): void {
    if (this.stopInputs) return;
    this.measurements.startPlaying();
    // The browser's loop: timers fire early or late, the input count must not drift.
    const tickRateHz = this.bots.find((b) => b.client.config)?.client.config?.tickRateHz ?? DEFAULT_TICK_RATE_HZ;
    this.stopInputs = startInputLoop(tickRateHz, () => {
      for (const bot of this.bots) bot.sendInput();
    });
    this.chatTimer = setInterval(() => {
      for (const bot of this.bots) if (Math.random() < 1 / this.chatEveryS) bot.chat();
    }, 1000);
  }

  /** Stops the loops and closes every bot's channels. */
  close(): void {
    this.stopInputs?.();
    if (this.chatTimer) clearInterval(this.chatTimer);
    for (const bot of this.bots) bot.close();
  }

  /** Connects one bot after its pacing delay; a failure is counted, kept for the summary and returned (null: connected), never thrown. */
  private async connect(bot: HeadlessBot, batch: BotBatch, delayMs: number): Promise<string | null> {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    try {
      await bot.connect(batch.connectTimeoutMs);
      this.measurements.recordConnected();
      return null;
    } catch (error) {
      this.measurements.recordConnectFailure(bot, error as Error);
      return `${bot.name}: ${(error as Error).message}`;
    }
  }
}

/**
 * When bot i of a batch starts connecting. The server allows JOIN_BURST joins
 * at once from one address, then JOIN_REFILL_PER_S: stay within it, or within
 * the share the batch was given.
 */
export function connectDelayMs(i: number, pacing: { joinBurst: number; joinRatePerS: number }): number {
  const { joinBurst, joinRatePerS } = pacing;
  if (i < joinBurst) return i * BURST_CONNECT_SPACING_MS;
  return joinBurst * BURST_CONNECT_SPACING_MS + ((i - joinBurst + 1) * 1000) / joinRatePerS;
}
