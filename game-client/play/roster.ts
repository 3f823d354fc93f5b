// Who is in the arena, with names and scores, kept from the welcome and the
// reliable events that follow. Pure: the UI reads it, the network feeds it.
import type { GameEvent, PlayerInfo, Welcome } from '../../protocol/wire/stream.ts';

export class Roster {
  private readonly players = new Map<number, PlayerInfo>();

  /** Replaces everything with the welcome's state. */
  applyWelcome(welcome: Welcome): void {
    this.players.clear();
    for (const player of welcome.players) this.players.set(player.id, { ...player });
  }

  /**
   * Applies one event. A replayed event (history missed while disconnected)
   * is already part of the welcome's state, so it changes nothing here.
   */
  applyEvent(event: GameEvent, replayed: boolean): void {
    if (replayed) return;
    switch (event.type) {
      case 'join':
        this.players.set(event.playerId, { id: event.playerId, name: event.name, score: event.score });
        return;
      case 'leave':
        this.players.delete(event.playerId);
        return;
      case 'score': {
        const player = this.players.get(event.playerId);
        if (player) player.score = event.score;
        return;
      }
      case 'chat':
        return;
    }
  }

  get(id: number): PlayerInfo | undefined {
    return this.players.get(id);
  }

  nameOf(id: number): string {
    return this.players.get(id)?.name ?? `player ${id}`;
  }

  /** Highest score first; ties by name, so the order is stable. */
  ranked(): PlayerInfo[] {
    return [...this.players.values()].sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
  }
}
