// The join screen: a name, checked exactly as the server checks it (it says
// what is wrong instead of doing nothing), and where to play: quick play (the
// server seats us in the fullest room with a free seat), a room from the
// list, a new room, or a room typed by name. Shown again, with the reason,
// when the server refuses a join (a bad name, a full room).
import { MAX_NAME_CHARS } from '../../protocol/constants.ts';
import { checkName, checkRoomName, nameLength } from '../../protocol/wire/stream.ts';
import { newRoomName } from '../play/room-names.ts';
import { byId } from './dom.ts';
import { showRoomList } from './room-list.ts';

/** What the player chose: a valid name, and a room (absent: quick play, the server chooses). */
export interface JoinChoice {
  name: string;
  room?: string;
}

export interface JoinScreenOptions {
  /** The name to start with. */
  suggestion?: string;
  /** Shown at once, e.g. why the server refused the last attempt. */
  problem?: string;
  /** A room from the link (`?room=`): the main button joins it, quick play stays one click away. */
  invitedRoom?: string;
}

/** Shows the join screen; resolves once the player chose a valid name and a room. */
export function askToJoin({ suggestion = '', problem = '', invitedRoom }: JoinScreenOptions = {}): Promise<JoinChoice> {
  const form = byId<HTMLFormElement>('join');
  const input = byId<HTMLInputElement>('join-name');
  const message = byId('join-problem');
  const hint = byId('join-hint');
  const play = byId<HTMLButtonElement>('join-play');
  const quickPlay = byId<HTMLButtonElement>('join-quick-play');
  const newRoom = byId<HTMLButtonElement>('join-new-room');
  const roomInput = byId<HTMLInputElement>('join-room-name');
  const roomGo = byId<HTMLButtonElement>('join-room-go');

  input.value = suggestion;
  message.textContent = problem;
  play.textContent = invitedRoom ? `Join ${invitedRoom}` : 'Quick play';
  quickPlay.hidden = !invitedRoom;
  roomInput.value = '';
  form.hidden = false;
  input.focus();
  const showCount = () => {
    const length = nameLength(input.value);
    hint.textContent = `${length} / ${MAX_NAME_CHARS} characters`;
    hint.classList.toggle('over', length > MAX_NAME_CHARS);
  };
  showCount();
  input.oninput = () => {
    showCount();
    message.textContent = '';
  };
  roomInput.oninput = () => (message.textContent = '');

  return new Promise((resolve) => {
    const choose = (room: string | undefined) => {
      const checked = checkName(input.value);
      if (!checked.ok) {
        message.textContent = checked.message;
        input.focus();
        return;
      }
      rooms.stop();
      form.hidden = true;
      input.oninput = roomInput.oninput = roomInput.onkeydown = null;
      form.onsubmit = null;
      quickPlay.onclick = newRoom.onclick = roomGo.onclick = null;
      resolve(room === undefined ? { name: checked.name } : { name: checked.name, room });
    };
    const joinTypedRoom = () => {
      const checked = checkRoomName(roomInput.value);
      if (!checked.ok) {
        message.textContent = checked.message;
        roomInput.focus();
        return;
      }
      choose(checked.name);
    };
    const rooms = showRoomList((room) => choose(room));

    // Enter in the name field (or the main button) plays: the invited room, or quick play.
    form.onsubmit = (event) => {
      event.preventDefault();
      choose(invitedRoom);
    };
    quickPlay.onclick = () => choose(undefined);
    newRoom.onclick = () => choose(newRoomName(Math.random, rooms.names()));
    roomGo.onclick = joinTypedRoom;
    // Enter in the room field joins that room, not the form's main button.
    roomInput.onkeydown = (event) => {
      if (event.key !== 'Enter') return;
      event.preventDefault();
      joinTypedRoom();
    };
  });
}
