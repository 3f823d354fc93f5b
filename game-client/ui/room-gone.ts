// A room whose server died. With several server processes (a room
// directory), our room may live on another process than the page's own
// server, the entry point. When our stream has been down for a while, we
// ask the entry point whether it still lists our room: if it answers and
// the room is gone, the page says so and offers quick play, instead of
// reconnecting to a dead process for ever. A page whose room is on the entry
// point itself just waits: that server answering means the stream will too.
import { ROOMS_PATH } from '../../protocol/constants.ts';
import { parseRoomList } from '../../protocol/wire/room-list.ts';
import type { ClientGame } from '../client-game.ts';
import { byId } from './dom.ts';

/** Down this long, the stream's server may be gone rather than slow (reconnects back off to 4 s). */
const ASK_AFTER_DOWN_MS = 5_000;
const CHECK_EVERY_MS = 2_000;
const ASK_TIMEOUT_MS = 2_000;

/** Watches `game`; calls `quickPlay` if the player picks it after the room is gone. */
export function watchForLostRoom(game: ClientGame, quickPlay: () => void): void {
  let asking = false;
  const timer = setInterval(async () => {
    const { net } = game;
    const room = net.room?.name;
    if (asking || !room || net.streamDownForMs() < ASK_AFTER_DOWN_MS) return;
    if (new URL(net.serverUrl).origin === location.origin) return; // our server is the entry point: it will be back, or nothing is
    asking = true;
    try {
      const response = await fetch(ROOMS_PATH, { signal: AbortSignal.timeout(ASK_TIMEOUT_MS), cache: 'no-store' });
      const list = parseRoomList(await response.json());
      if (list.ok && !list.value.rooms.some((listed) => listed.name === room)) {
        clearInterval(timer);
        net.close();
        show(room, quickPlay);
      }
    } catch {
      // The entry point is down too: the HUD already says the connection is lost.
    } finally {
      asking = false;
    }
  }, CHECK_EVERY_MS);
}

function show(room: string, quickPlay: () => void) {
  const notice = byId('room-gone');
  byId('room-gone-text').textContent = `Room ${room} is gone: the server hosting it stopped.`;
  byId<HTMLButtonElement>('room-gone-play').onclick = quickPlay;
  notice.hidden = false;
}
