// Which bots a load step adds, where, and how each group paces its joins.
// Pure, so the arithmetic is tested on its own.
//
// Rooms fill in order (load-1, load-2, …), each up to the room size; a group
// of bots fills (part of) one room and is played by one bot process, room
// load-k by process (k - 1) mod P: one process per bot core, each playing
// several rooms, so a step never adds processes that would take turns on a
// core. A room left part full by one step is topped up by the next.
//
// Each bot process's bots come from loopback addresses of their own
// (botSourceRange: 127.0.P.2 … 127.0.P.251 for process P, taken in turn by
// its streams and its peer connections), so the server's per-address limits
// see many addresses, as they would from many machines. The server allows
// JOIN_BURST joins at once from one address, then JOIN_REFILL_PER_S; with
// an address per bot that limit no longer binds, yet the groups a step adds
// together still keep within one address's budget (an equal part of the
// burst and of the rate each, with a margin): it spreads the WebRTC setups,
// the expensive part of a connect, on the bots' core. (Every bot once came
// from 127.0.0.1, and two groups whose timers fired together were refused.)
import { JOIN_BURST, JOIN_REFILL_PER_S } from '../../protocol/constants.ts';

/** Below the server's rate, so clock noise between processes never meets the limit. */
export const JOIN_RATE_MARGIN = 0.9;

export interface BotGroupPlan {
  room: string;
  count: number;
  /** Which bot process plays it (0-based). */
  process: number;
  /** This group's share of the per-address join limit. */
  joinBurst: number;
  joinRatePerS: number;
}

export interface JoinLimit {
  burst: number;
  refillPerS: number;
}

/** Source addresses one bot process's range holds (its last octet from 2 up: .1 is the server's). */
export const ADDRESSES_PER_BOT_PROCESS = 250;

/** The loopback source addresses of bot process `p` (0-based), as `bot.ts --from` takes them: 127.0.p.2-127.0.p.251. */
export function botSourceRange(p: number): string {
  if (!Number.isInteger(p) || p < 0 || p > 255) throw new RangeError(`bot process ${p}: 0 to 255`);
  return `127.0.${p}.2-127.0.${p}.${1 + ADDRESSES_PER_BOT_PROCESS}`;
}

/** The room name of the r-th room (0-based) the bench fills. */
export function loadRoomName(r: number): string {
  return `load-${r + 1}`;
}

/** The groups that take the server from `fromClients` to `toClients` with `processes` bot processes: one per room touched. */
export function planBotGroups(
  fromClients: number,
  toClients: number,
  roomSize: number,
  processes: number,
  limit: JoinLimit = { burst: JOIN_BURST, refillPerS: JOIN_REFILL_PER_S },
): BotGroupPlan[] {
  const groups: { room: string; count: number; process: number }[] = [];
  let next = fromClients;
  while (next < toClients) {
    const room = Math.floor(next / roomSize);
    const count = Math.min(toClients, (room + 1) * roomSize) - next;
    groups.push({ room: loadRoomName(room), count, process: room % processes });
    next += count;
  }
  const share = Math.max(1, groups.length);
  return groups.map((g) => ({
    ...g,
    joinBurst: Math.max(1, Math.floor(limit.burst / share)),
    joinRatePerS: (limit.refillPerS * JOIN_RATE_MARGIN) / share,
  }));
}

/**
 * How long the slowest group of a plan needs to start all its connects: its
 * burst, then the rest at its rate. The bench waits this plus a connect
 * timeout for the "connected" reports.
 */
export function plannedConnectSeconds(plan: readonly BotGroupPlan[]): number {
  return Math.max(0, ...plan.map((p) => Math.max(0, p.count - p.joinBurst) / p.joinRatePerS));
}
