// A welcome as the server sends it, for unit tests of what the client makes
// of one (the session, the roster): alice, player 1, fresh in arena-1, with
// whatever a test changes.
import type { PlayerInfo, Welcome } from '../protocol/wire/stream.ts';

export function welcomeWith(changes: Partial<Welcome> = {}): Welcome {
  return {
    type: 'welcome',
    playerId: 1,
    name: 'alice',
    sessionToken: 'session-token-0123456789',
    datagramToken: 'datagram-token-0123456789',
    resumed: false,
    room: { name: 'arena-1', capacity: 32 },
    lastSeq: 10,
    replayComplete: true,
    inputSeq: 0,
    config: { tickRateHz: 60, snapshotRateHz: 30, arenaWidthPx: 1600, arenaHeightPx: 900 },
    players: [],
    scores: {},
    recentChat: [],
    ...changes,
  };
}

/** A welcome listing `players`, with their scores. */
export function welcomeListing(players: PlayerInfo[]): Welcome {
  return welcomeWith({ players, scores: Object.fromEntries(players.map((p) => [String(p.id), p.score])) });
}
