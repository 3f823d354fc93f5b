// The session token kept in sessionStorage, so a reload of the tab resumes
// the same player and score. Per tab: a second tab is a second player.
const KEY = 'netcode-arena.session';

export interface SavedSession {
  name: string;
  sessionToken: string;
  lastSeq: number;
}

export function loadSavedSession(): SavedSession | null {
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

export function saveSession(session: SavedSession): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(session));
  } catch {
    // storage full or disabled: a reload will join as a new player
  }
}
