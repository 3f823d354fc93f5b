// The HUD's room line: the room's name as a link to it (`?room=NAME`), how
// full it is, and a button that copies the link, so a friend can be brought
// into this room.
import { roomLink } from './address-bar.ts';
import { byId } from './dom.ts';
import { showToast } from './toasts.ts';

/** Shows the room we play in (null before the first welcome), how many it seats and how many are in it now. */
export function renderRoomLine(room: string | null, capacity: number | null, players: number): void {
  const link = byId<HTMLAnchorElement>('hud-room-link');
  const name = room ?? '…';
  // Rewritten four times a second: touch the DOM only when something changed.
  if (link.textContent !== name) {
    link.textContent = name;
    if (room) link.href = roomLink(room);
  }
  const count = room && capacity ? ` · ${players} / ${capacity}` : '';
  const shown = byId('hud-room-players');
  if (shown.textContent !== count) shown.textContent = count;
}

/** Makes the HUD's "copy link" button (and a click on the room's name) copy the link to the room shown then. */
export function wireShareButton(): void {
  const button = byId<HTMLButtonElement>('hud-share');
  const link = byId<HTMLAnchorElement>('hud-room-link');
  const copy = async () => {
    // Either would keep the keyboard: Space or Enter (chat) would copy again instead of playing.
    button.blur();
    link.blur();
    if (!link.href) return;
    try {
      // Only in a secure context (https, or localhost): elsewhere the link is copied by hand (right-click).
      await navigator.clipboard.writeText(link.href);
      showToast(`Link to ${link.textContent} copied`);
    } catch {
      showToast('Could not copy: right-click the room name to copy its link');
    }
  };
  button.onclick = copy;
  // A plain click on the link would only reload this very room: it copies instead.
  link.onclick = (event) => {
    event.preventDefault();
    void copy();
  };
}
