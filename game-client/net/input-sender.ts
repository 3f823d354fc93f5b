// The one place input packets are assembled and sent, for the browser game,
// the headless bot and the tests alike.
//
// A key press walks one straight line, never back:
//   play   client-game.ts (or the bot) turns held keys into a MoveInput and
//          calls `inputs.send`, once per tick (input-loop.ts says when);
//   net    here: play/input-window.ts numbers it and adds the few before it
//          (the redundancy window), the snapshot intake gives the
//          acknowledgement; every INPUT_TICKS_PER_PACKET-th input goes out,
//          carrying the ones since the last packet;
//   protocol  protocol/wire/input.ts encodes the packet;
//   transport the channel that carries inputs now (the datagram channel, or
//          the stream in fallback) sends it through the player's simulated
//          network to its socket.
import { INPUT_TICKS_PER_PACKET } from '../../protocol/constants.ts';
import type { MoveInput } from '../../protocol/sim/sim.ts';
import { encodeInputPacket } from '../../protocol/wire/input.ts';
import { InputWindow } from '../play/input-window.ts';
import type { DatagramChannel } from './datagram-channel.ts';
import type { SnapshotIntake } from './snapshot-intake.ts';
import type { StreamChannel } from './stream-channel.ts';

export class InputSender {
  private readonly recent = new InputWindow();

  constructor(
    private readonly datagram: DatagramChannel,
    private readonly stream: StreamChannel,
    /** The newest snapshot tick we have (the intake's): the server may send deltas against it. */
    private readonly intake: () => SnapshotIntake,
  ) {}

  /** Inputs numbered since the last packet went out. */
  private unsent = 0;

  /**
   * Takes one tick's input; every INPUT_TICKS_PER_PACKET-th goes out in a
   * packet with the ones before it (constants.ts says why). Returns its
   * sequence number.
   */
  send(input: MoveInput): number {
    const run = this.recent.push(input);
    if (++this.unsent < INPUT_TICKS_PER_PACKET) return run.seq;
    this.unsent = 0;
    const bytes = encodeInputPacket({ seq: run.seq, inputs: run.inputs, ackTick: this.intake().newestTick });
    // Input packets take the datagram channel, or the stream when WebRTC
    // failed. Not while the first data channel is still connecting (under a
    // second): behind simulated stream loss those inputs would reach the
    // server in one burst, which its input rate limit refuses.
    if (this.datagram.state === 'open') this.datagram.send(bytes);
    else if (this.datagram.state !== 'connecting') this.stream.sendBinary(bytes);
    return run.seq;
  }

  /** Follows a welcome: starts again from the server's count, or (a resume) keeps counting. True when it started again. */
  rejoin(welcome: { resumed: boolean; inputSeq: number }): boolean {
    this.unsent = 0;
    return this.recent.rejoin(welcome);
  }
}
