// The scoreboard: every player in the arena, highest score first.
import type { PlayerInfo } from '../../protocol/wire/stream.ts';
import { byId, textElement } from './dom.ts';

export function renderScoreboard(players: PlayerInfo[], ownId: number): void {
  const list = byId<HTMLOListElement>('scoreboard');
  list.hidden = false;
  list.replaceChildren(
    ...players.map((player) => {
      const item = textElement('li', player.id === ownId ? 'own' : '', player.name);
      item.dataset.playerId = String(player.id);
      item.append(textElement('span', 'score', String(player.score)));
      return item;
    }),
  );
}
