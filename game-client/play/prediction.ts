// Client-side prediction and server reconciliation for the own player.
//
// Each input is applied locally at once with the same step the server uses
// (protocol/sim/sim.ts) and kept until the server acknowledges it. When a
// snapshot arrives, the prediction restarts from the server's position and
// replays the inputs the server has not applied yet. With a deterministic
// sim and no loss, the replayed result equals what was predicted, so
// nothing moves on screen; after loss or a correction the difference is
// blended out over a few frames instead of snapping.
import { CORRECTION_HALF_LIFE_MS, MAX_PENDING_INPUTS, SNAP_DISTANCE_PX } from '../../protocol/constants.ts';
import { stepPlayer, type MoveInput, type Vec2 } from '../../protocol/sim/sim.ts';

export class Prediction {
  /** The predicted simulation position (null until the first snapshot). */
  position: Vec2 | null = null;
  /** Drawn offset from `position`, decaying to zero after a correction. */
  private correction: Vec2 = { x: 0, y: 0 };
  private pending: { seq: number; input: MoveInput }[] = [];
  /** Size of the last correction, in px (0 when prediction was right). */
  lastErrorPx = 0;
  /**
   * Largest blended correction so far. At 0 loss it is only snapshot rounding:
   * two positions each within 1/16 px per axis, so at most 2·√2/16 ≈ 0.18 px.
   */
  maxErrorPx = 0;
  /** Corrections too large to blend (a teleport, a long loss burst), applied at once. */
  snaps = 0;

  constructor(private readonly stepMs: number) {}

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Applies a local input now and remembers it for replay. */
  applyInput(seq: number, input: MoveInput): void {
    this.pending.push({ seq, input });
    if (this.pending.length > MAX_PENDING_INPUTS) this.pending.shift();
    if (this.position) this.position = stepPlayer(this.position, input, this.stepMs);
  }

  /**
   * Takes the server's position for the own player, which includes every
   * input up to `ackInputSeq`. With `replay` (reconciliation on) the inputs
   * after it are applied again on top; without it, the client just jumps to
   * the server's (older) position, which is what reconciliation hides.
   */
  reconcile(serverPosition: Vec2, ackInputSeq: number, replay: boolean): void {
    this.pending = this.pending.filter((p) => p.seq > ackInputSeq);
    let next = serverPosition;
    if (replay) for (const { input } of this.pending) next = stepPlayer(next, input, this.stepMs);
    if (this.position) {
      const dx = this.position.x + this.correction.x - next.x;
      const dy = this.position.y + this.correction.y - next.y;
      this.lastErrorPx = Math.hypot(this.position.x - next.x, this.position.y - next.y);
      const snap = Math.hypot(dx, dy) > SNAP_DISTANCE_PX;
      if (snap) this.snaps++;
      else this.maxErrorPx = Math.max(this.maxErrorPx, this.lastErrorPx);
      this.correction = snap || !replay ? { x: 0, y: 0 } : { x: dx, y: dy };
    }
    this.position = next;
  }

  /** Where to draw the player this frame; `elapsedMs` since the last frame fades the correction. */
  drawPosition(elapsedMs: number): Vec2 | null {
    if (!this.position) return null;
    const keep = 0.5 ** (elapsedMs / CORRECTION_HALF_LIFE_MS);
    this.correction = { x: this.correction.x * keep, y: this.correction.y * keep };
    return { x: this.position.x + this.correction.x, y: this.position.y + this.correction.y };
  }
}
