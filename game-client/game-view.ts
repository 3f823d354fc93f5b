// What the page reads from the client game: plain, JSON-safe views. The UI
// and the scenes import their types from here and nothing from net/: they
// take what the game shows them, never the network objects behind it. The
// channels' names, states and status come from net/channels.ts and are
// re-exported here. `GameStatus` is also what window.netcode.status()
// returns: tests and benchmarks read it, so its fields are an interface.
import type { ConnectionTimeline } from '../protocol/connection-timeline.ts';
import type { UpdateMark } from '../protocol/netsim/stats.ts';
import type { EntityState } from '../protocol/wire/snapshot.ts';
import type { PlayerInfo, PositionPath } from '../protocol/wire/stream.ts';
import type { DirectionKeys } from './play/keys.ts';
import type { ClientSettings } from './play/settings.ts';
import type { ChannelName, ChannelStatus, StreamChannelState } from './net/channels.ts';
import type { SessionState } from './net/session-state.ts';

export type { UpdateMark };
export type { SessionState };
export type { ConnectionTimeline };
export { CHANNEL_NAMES, type ChannelName, type ChannelStatus, type DatagramChannelState, type StreamChannelState } from './net/channels.ts';

/** One entity as status() lists it: world units, rounded to 0.1. */
export interface EntityStatus {
  id: number;
  kind: 'player' | 'npc' | 'coin';
  x: number;
  y: number;
  name?: string;
}

/** A plain, JSON-safe view of the game, for the HUD, the net graph, tests and curious players. */
export interface GameStatus {
  playerId: number;
  name: string;
  /** The room we play in, by name (what `?room=` links use); null until the first welcome names it. */
  room: string | null;
  /** How many players the room seats (null with `room`). */
  roomCapacity: number | null;
  score: number;
  path: PositionPath;
  /** Real loss on the server's ports (a lab run), on top of anything simulated; 0 normally. */
  kernelLossPct: number;
  fps: number;
  updateMs: number;
  channels: { datagram: ChannelStatus; stream: ChannelStatus };
  /** Why the datagram channel is not open, if it is not. */
  datagramNote: string;
  entities: EntityStatus[];
  /** Compare mode: where the stream puts each moving entity (world units), beside its solid from datagrams. */
  ghosts: { id: number; x: number; y: number }[];
  connection: {
    stream: StreamChannelState;
    /** Where the client's session is (net/session-state.ts). */
    session: SessionState;
    /** The server announced a shutdown and has not welcomed us since. */
    shutdownReason: string | null;
    reconnectAttempts: number;
  };
  players: PlayerInfo[];
  /** Every step of both channels' life, measured (net/net-client.ts timeline(); the timeline panel draws it). */
  timeline: ConnectionTimeline;
  prediction: { pendingInputs: number; lastCorrectionPx: number; maxCorrectionPx: number; snaps: number };
  settings: ClientSettings;
}

/** An entity to draw: its state, its name (players), and whether it is our own player. */
export interface DrawnEntity extends EntityState {
  name?: string;
  own?: boolean;
}

/** What the arena draws in one render frame: the entities, and in compare mode the stream's ghosts. */
export interface ArenaPicture {
  /** Entities from the chosen path (in compare mode: from the datagram channel). */
  entities: DrawnEntity[];
  /**
   * Compare mode only: every moving entity but our own (players and NPCs) as
   * the stream delivers it, beside its solid as the datagrams deliver it. The
   * own player's solid is predicted, ahead of any update: the gap to its
   * stream ghost would be prediction plus the stream's delay, not the
   * stream against the datagrams, so it gets none.
   */
  ghosts: DrawnEntity[];
}

/** What the arena scene reads (a picture per render frame) and hands back (the keys held, its own cost). */
export interface ArenaSource {
  picture(nowMs: number): ArenaPicture;
  setKeys(keys: DirectionKeys): void;
  /** The frame rate and this frame's update cost (ms, rendering excluded). */
  recordFrame(fps: number, updateMs: number): void;
}

/** What the network panel reads and changes. */
export interface SettingsSource {
  readonly settings: ClientSettings;
  update(changes: Partial<ClientSettings>): void;
}

/** What the net graph reads: the status, and each channel's newest position updates. */
export interface NetGraphSource {
  status(): GameStatus;
  updateHistory(channel: ChannelName): UpdateMark[];
}
