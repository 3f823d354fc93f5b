// This tab's player, kept in sessionStorage so a reload of the tab resumes
// the same player and score (the server's session token and the last event
// seen). Per tab: a second tab is a second player.
/** Unchanged since the first release: a new key would forget every saved player. */
const KEY = 'netcode-arena.session';

export interface SavedPlayer {
  name: string;
  sessionToken: string;
  lastSeq: number;
}

export function loadSavedPlayer(): SavedPlayer | null {
  try {
    const value: unknown = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    if (!value || typeof value !== 'object') return null;
    const { name, sessionToken, lastSeq } = value as Record<string, unknown>;
    if (typeof name !== 'string' || typeof sessionToken !== 'string' || typeof lastSeq !== 'number') return null;
    return { name, sessionToken, lastSeq };
  } catch {
    return null; // storage disabled or corrupt: just join as new
  }
}

export function savePlayer(player: SavedPlayer): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(player));
  } catch {
    // storage full or disabled: a reload will join as a new player
  }
}
