// A room's arena in motion: the world (world.ts, the physics), the fixed-step
// loop that advances it while anyone is in it, the input admission between
// the players' packets and the world (input-admission.ts), and the
// snapshots each step sends (snapshot-sender.ts). The room (room.ts) decides
// who enters and leaves and keeps the scores: a coin picked up is handed
// back to it. This is the per-tick path that bench:load measures: a step
// allocates nothing per player beyond what the world's physics does.
import type { InputPacket } from '../../protocol/wire/input.ts';
import type { log as processLog } from '../ops/log.ts';
import type { Metrics } from '../ops/metrics.ts';
import { FixedStepLoop } from './fixed-step-loop.ts';
import { InputAdmission, type QueueResult } from './input-admission.ts';
import type { DatagramLink } from './links.ts';
import type { Player } from './player.ts';
import type { Scenario } from './scenario.ts';
import { SnapshotSender } from './snapshot-sender.ts';
import { World } from './world.ts';

export interface ArenaOptions {
  /** The room's name, for the tick metrics. */
  name: string;
  tickRateHz: number;
  snapshotRateHz: number;
  npcCount: number;
  seed: number;
  scenario?: Scenario;
  metrics: Metrics;
  clock: () => number;
  log: typeof processLog;
}

/** What the arena tells its room. */
export interface ArenaHandlers {
  /** A player picked up a coin worth `points` in the step just run. */
  scored(player: Player, points: number): void;
  /** Every wake-up of the loop, after its steps: the room's housekeeping. */
  woke(nowMs: number): void;
}

export class Arena {
  private readonly world: World;
  private readonly loop: FixedStepLoop;
  private readonly admission: InputAdmission;
  private readonly snapshotSender: SnapshotSender;
  /**
   * The players in the arena, in the order they entered: what a step moves
   * and sends to. The room's own map also holds players who left and may
   * resume (up to MAX_SESSIONS), whom no tick needs to visit.
   */
  private readonly present = new Set<Player>();
  /** The players a tick's snapshot goes to: one array for every tick, emptied after each. */
  private readonly snapshotRecipients: Player[] = [];
  /** The inputs due at a step, applied inside the world's step (made once: the tick allocates nothing for it). */
  private readonly movePlayers = (): void => this.admission.applyInputs(this.present, this.world);

  /** `players`: the room's players by id, in the arena or not (a coin's pickup names its player by id). */
  constructor(
    private readonly options: ArenaOptions,
    private readonly players: ReadonlyMap<number, Player>,
    private readonly handlers: ArenaHandlers,
  ) {
    this.world = new World({ tickRateHz: options.tickRateHz, npcCount: options.npcCount, seed: options.seed, scenario: options.scenario });
    this.admission = new InputAdmission(options.tickRateHz);
    this.snapshotSender = new SnapshotSender(options.metrics);
    this.loop = new FixedStepLoop(options.tickRateHz, options.clock, {
      step: () => this.safeStep(),
      // The players' inputs for the skipped steps are still coming; the admission lets them in.
      skipped: (steps) => this.admission.creditSkippedSteps(steps, this.world.tick, this.present),
      woke: (now) => handlers.woke(now),
    });
  }

  /** Whether the loop runs: only while someone is in the arena (an empty arena does not tick). */
  get running(): boolean {
    return this.loop.running;
  }

  /** Players in the arena now. */
  get playerCount(): number {
    return this.world.playerCount;
  }

  get tick(): number {
    return this.world.tick;
  }

  /** The player takes a body in the world, with a fresh input sequence; the loop runs from now if it did not. */
  enter(player: Player): void {
    player.enterArena(this.world.addPlayer(player.id), this.world.tick);
    this.present.add(player);
    this.loop.start();
  }

  /** The player's body leaves the world; with nobody left to simulate for, the loop stops until someone enters. */
  leave(player: Player): void {
    this.world.removePlayer(player.id);
    this.present.delete(player);
    player.leaveArena();
    if (this.world.playerCount === 0) this.loop.stop();
  }

  stop(): void {
    this.loop.stop();
  }

  /** A player's input packet: its ack moves their snapshot baseline, and its inputs are queued if they are in the arena. */
  receive(player: Player, packet: InputPacket): QueueResult | null {
    player.delivery.acknowledge(packet.ackTick, this.world.tick);
    if (!player.inArena) return null; // out of the arena: no inputs to take
    return this.admission.admit(player.inputs, packet, this.loop.stepsOwed(this.options.clock()));
  }

  /** A data channel was just bound to the player: it starts from a full snapshot (none while out of the arena). */
  greet(player: Player, datagram: DatagramLink): void {
    this.snapshotSender.greet(player.delivery, datagram, player.inArena ? player.lastAppliedInput : null);
  }

  /** One simulation step plus the snapshots due at it. Exceptions are logged, never thrown into the timer. */
  private safeStep(): void {
    const endTimer = this.options.metrics.startTick(this.options.name);
    try {
      const pickups = this.world.step(this.movePlayers);
      for (const { playerId, points } of pickups) {
        const player = this.players.get(playerId);
        if (player) this.handlers.scored(player, points);
      }
      this.sendSnapshots();
    } catch (error) {
      this.options.log.error({ err: error, tick: this.world.tick }, 'tick failed');
    } finally {
      endTimer();
    }
  }

  /**
   * Hands this tick's state to the sender, for the players whose snapshot is
   * due now. Each player gets SNAPSHOT_RATE a second, but not all on the same
   * tick: their ids spread them over the ticks between snapshots (at 60 Hz
   * ticks and 30 Hz snapshots, odd ids on odd ticks, even on even), so a
   * tick's sending work is a share of the room, not all of it at once.
   */
  private sendSnapshots(): void {
    const { tickRateHz, snapshotRateHz } = this.options;
    const tick = this.world.tick;
    const phases = Math.ceil(tickRateHz / snapshotRateHz);
    const recipients = this.snapshotRecipients;
    recipients.length = 0;
    for (const player of this.present) {
      if (snapshotDue(tick + (player.id % phases), tickRateHz, snapshotRateHz)) recipients.push(player);
    }
    if (recipients.length === 0) return;
    this.snapshotSender.send(tick, Math.round(this.options.clock()), this.world.entities(), recipients);
    recipients.length = 0; // holds no player past the tick
  }
}

/** Whether a snapshot falls at `tick` when SNAPSHOT_RATE of TICK_RATE ticks carry one (evenly, any ratio). */
function snapshotDue(tick: number, tickRateHz: number, snapshotRateHz: number): boolean {
  return Math.floor((tick * snapshotRateHz) / tickRateHz) > Math.floor(((tick - 1) * snapshotRateHz) / tickRateHz);
}
