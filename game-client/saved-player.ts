// This tab's player, kept in sessionStorage so a reload of the tab resumes
// the same player and score in the same room (the server's session token,
// the last event seen, the room's name). Per tab: a second tab is a second
// player.
import { checkRoomName } from '../protocol/wire/stream.ts';

/** Unchanged since the first release: a new key would forget every saved player. */
const KEY = 'netcode-arena.session';

export interface SavedPlayer {
  name: string;
  sessionToken: string;
  lastSeq: number;
  /** The room the session belongs to; absent in what a page saved before rooms existed. */
  room?: string;
}

export function loadSavedPlayer(): SavedPlayer | null {
  try {
    const value: unknown = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    if (!value || typeof value !== 'object') return null;
    const { name, sessionToken, lastSeq, room } = value as Record<string, unknown>;
    if (typeof name !== 'string' || typeof sessionToken !== 'string' || typeof lastSeq !== 'number') return null;
    // A room name that no longer checks out is dropped: the saved player then resumes wherever its session is.
    const checkedRoom = typeof room === 'string' ? checkRoomName(room) : null;
    return { name, sessionToken, lastSeq, ...(checkedRoom?.ok ? { room: checkedRoom.name } : {}) };
  } catch {
    return null; // storage disabled or corrupt: just join as new
  }
}

/** Forgets this tab's player: the next page joins afresh (its room is gone). */
export function forgetSavedPlayer(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // storage disabled: nothing was kept
  }
}

export function savePlayer(player: SavedPlayer): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(player));
  } catch {
    // storage full or disabled: a reload will join as a new player
  }
}
