// One player of a room, everything the server holds for them in one place:
// their session (id, name, score, token), the two links that reach them, the
// simulated network they chose for what we send, their snapshot delivery
// (path, per-channel sequences, acknowledged tick: the SnapshotSender reads
// it), their body in the arena while they are in it and the inputs on their
// way to it (input-admission.ts), their chat budget and address. Joining,
// resuming, leaving and being sent elsewhere are this object's lifecycle;
// the room decides when.
import { CHAT_BURST, CHAT_REFILL_PER_S, CLOSE_GOING_AWAY, CLOSE_NORMAL, CLOSE_SESSION_REPLACED } from '../../protocol/constants.ts';
import { clampConditions, PERFECT_NETWORK, type NetworkConditions } from '../../protocol/netsim/conditioner.ts';
import type { GameEvent, ServerMessage } from '../../protocol/wire/stream.ts';
import { TokenBucket } from '../limits/token-bucket.ts';
import { PlayerInputs } from './input-admission.ts';
import type { DatagramLink, StreamLink } from './links.ts';
import type { Session } from './sessions.ts';
import { Delivery, type SnapshotRecipient } from './snapshot-sender.ts';
import type { PlayerBody } from './world.ts';

export class Player implements SnapshotRecipient {
  stream: StreamLink | null;
  datagram: DatagramLink | null = null;
  /** The simulated network for what the server sends this player (the network panel). */
  conditions: NetworkConditions = PERFECT_NETWORK;
  /**
   * Their body in the world while they are in the arena (simulated and in
   * snapshots); null out of it: they left (stream gone past the grace
   * period) but may still resume.
   */
  body: PlayerBody | null = null;
  /** How their snapshots reach them: the path, each channel's sequence, the tick they acknowledged. */
  readonly delivery = new Delivery();
  /** Their inputs on the way into the simulation (input-admission.ts); fresh each time they enter the arena. */
  inputs = new PlayerInputs(0);
  readonly chat: TokenBucket;
  /** The remote address they last joined or resumed from (chat is also limited per address). */
  address: string;

  constructor(
    readonly session: Session,
    stream: StreamLink,
    address: string,
    nowMs: number,
  ) {
    this.stream = stream;
    this.address = address;
    this.chat = new TokenBucket(CHAT_BURST, CHAT_REFILL_PER_S, nowMs);
  }

  get id(): number {
    return this.session.playerId;
  }

  get inArena(): boolean {
    return this.body !== null;
  }

  /** Newest input applied for them (0 before any since they entered): the client reconciles its prediction with it. */
  get lastAppliedInput(): number {
    return this.inputs.lastAppliedSeq;
  }

  /** They entered the arena at `tick` with `body`: their input sequence starts fresh. */
  enterArena(body: PlayerBody, tick: number): void {
    this.body = body;
    this.inputs = new PlayerInputs(tick);
  }

  leaveArena(): void {
    this.body = null;
  }

  /** A resume: the new stream replaces (and closes) an older one still open; the session is connected again. */
  resumeOn(stream: StreamLink, address: string): void {
    if (this.stream && this.stream !== stream) this.stream.close(CLOSE_SESSION_REPLACED, 'session resumed elsewhere');
    this.stream = stream;
    this.address = address;
    stream.setConditions(this.conditions);
    this.session.disconnectedAtMs = null;
  }

  /** The stream closed at `nowMs`; false if it was an older, replaced one (nothing changes). */
  streamClosed(stream: StreamLink, nowMs: number): boolean {
    if (this.stream !== stream) return false;
    this.stream = null;
    this.session.disconnectedAtMs = nowMs;
    return true;
  }

  /** Binds an open data channel, replacing (and closing) any older one. */
  bindDatagram(datagram: DatagramLink): void {
    if (this.datagram && this.datagram !== datagram) this.datagram.close();
    this.datagram = datagram;
    datagram.setConditions(this.conditions);
  }

  datagramClosed(datagram: DatagramLink): void {
    if (this.datagram === datagram) this.datagram = null;
  }

  /** Closes the data channel, if any (the player left the arena or the session ended). */
  dropDatagram(): void {
    this.datagram?.close();
    this.datagram = null;
  }

  /** New simulated network conditions for both links (clamped to what the panel allows). */
  setConditions(conditions: NetworkConditions): void {
    this.conditions = clampConditions(conditions);
    this.stream?.setConditions(this.conditions);
    this.datagram?.setConditions(this.conditions);
  }

  /** Their room now lives on another server, at `url`: they are told where, and the stream closes (they join there afresh). */
  redirect(url: string, room: string): void {
    this.stream?.send({ type: 'redirect', url, room });
    this.stream?.close(CLOSE_NORMAL, 'room moved to another server');
  }

  /** The server is going away: they are told, and both links close. */
  shutDown(): void {
    this.send({ type: 'shutdown', reason: 'server shutting down' });
    this.stream?.close(CLOSE_GOING_AWAY, 'server shutting down');
    this.datagram?.close();
  }

  /** A reliable message on the stream, if it is open. */
  send(message: ServerMessage | GameEvent): void {
    this.stream?.send(message);
  }
}
