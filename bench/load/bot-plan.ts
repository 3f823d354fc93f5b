// Which bot processes a load step starts, and how each paces its joins.
// Pure, so the arithmetic is tested on its own.
//
// Rooms fill in order (load-1, load-2, …), each up to the room size; a bot
// process puts all its bots in one named room (bot.ts --room), so a room is
// topped up by the next step's processes if a step leaves it part full.
//
// The server allows JOIN_BURST joins at once from one address, then
// JOIN_REFILL_PER_S. Every bot process runs from 127.0.0.1, so the processes a
// step starts together share that one budget: each gets an equal part of the
// burst and of the rate (with a margin for timers that fire together).
import { JOIN_BURST, JOIN_REFILL_PER_S } from '../../protocol/constants.ts';

/** Below the server's rate, so clock noise between processes never meets the limit. */
export const JOIN_RATE_MARGIN = 0.9;

export interface BotProcessPlan {
  room: string;
  count: number;
  /** This process's share of the per-address join limit. */
  joinBurst: number;
  joinRatePerS: number;
}

export interface JoinLimit {
  burst: number;
  refillPerS: number;
}

/** The room name of the r-th room (0-based) the bench fills. */
export function loadRoomName(r: number): string {
  return `load-${r + 1}`;
}

/**
 * The processes that take the server from `fromClients` to `toClients`:
 * at most `clientsPerBot` bots each, never spanning two rooms.
 */
export function planBotProcesses(fromClients: number, toClients: number, roomSize: number, clientsPerBot: number, limit: JoinLimit = { burst: JOIN_BURST, refillPerS: JOIN_REFILL_PER_S }): BotProcessPlan[] {
  const groups: { room: string; count: number }[] = [];
  let next = fromClients;
  while (next < toClients) {
    const room = Math.floor(next / roomSize);
    const roomEnd = Math.min(toClients, (room + 1) * roomSize);
    const count = Math.min(clientsPerBot, roomEnd - next);
    groups.push({ room: loadRoomName(room), count });
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
 * How long the slowest process of a plan needs to start all its connects:
 * its burst, then the rest at its rate. The bench waits this plus a connect
 * timeout for the "connected" reports.
 */
export function plannedConnectSeconds(plan: readonly BotProcessPlan[]): number {
  return Math.max(0, ...plan.map((p) => Math.max(0, p.count - p.joinBurst) / p.joinRatePerS));
}
