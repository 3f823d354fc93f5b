// The join screen's list of rooms: what GET /rooms answers, fullest first,
// each room a button that joins it (a full room is shown full and cannot be
// clicked). The ping figure is that request's round trip, as this page
// measures it. The list refreshes every few seconds while it is shown, one
// request at a time, and stops asking after a while.
import { ROOMS_PATH } from '../../protocol/constants.ts';
import { failed, ok, type Result } from '../../protocol/result.ts';
import { parseRoomList, type RoomList, type RoomSummary } from '../../protocol/wire/room-list.ts';
import { byId, textElement } from './dom.ts';

const ROOM_LIST_REFRESH_MS = 3_000;
/** A request slower than this is given up; the next refresh tries again. */
const ROOM_LIST_TIMEOUT_MS = 2_500;
/** About ten minutes of refreshes: a join screen left open in a forgotten tab does not ask a server forever. */
const MAX_ROOM_LIST_REFRESHES = 200;
/** Rooms drawn at most; the rest (the emptiest: the list is fullest first) are counted in one line. */
const MAX_LISTED_ROOMS = 50;

export interface RoomListView {
  /** The rooms listed now (a new room's name avoids them). */
  names(): ReadonlySet<string>;
  /** Stops refreshing (the join screen is gone). */
  stop(): void;
}

/** Shows the room list in #join-rooms and keeps it fresh; `onPick` gets the name of a room the player clicked. */
export function showRoomList(onPick: (room: string) => void): RoomListView {
  const list = byId<HTMLUListElement>('join-rooms');
  const state = byId('join-rooms-state');
  let listed = new Set<string>();
  let refreshes = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const refresh = async () => {
    timer = null;
    refreshes++;
    const answer = await fetchRoomList();
    if (stopped) return;
    if (answer.ok) {
      listed = new Set(answer.value.list.rooms.map((room) => room.name));
      renderRooms(list, answer.value.list, onPick);
      state.textContent = `ping ${Math.round(answer.value.pingMs)} ms`;
      state.title = 'Round trip of the room-list request to this server, as this page measured it';
    } else {
      state.textContent = 'cannot load the rooms';
      state.title = answer.message ?? answer.error;
    }
    if (refreshes < MAX_ROOM_LIST_REFRESHES) timer = setTimeout(refresh, ROOM_LIST_REFRESH_MS);
    else offerRefresh();
  };
  const offerRefresh = () => {
    const again = textElement('button', 'link', 'refresh');
    again.type = 'button';
    again.onclick = () => {
      refreshes = 0;
      state.textContent = 'loading…';
      void refresh();
    };
    state.replaceChildren(textElement('span', '', 'paused · '), again);
  };

  state.textContent = 'loading…';
  state.title = '';
  void refresh();
  return {
    names: () => listed,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/** GET /rooms, checked, with the time until its answer came (ms); never throws. */
async function fetchRoomList(): Promise<Result<{ list: RoomList; pingMs: number }>> {
  const startedAt = performance.now();
  try {
    const response = await fetch(ROOMS_PATH, { cache: 'no-store', signal: AbortSignal.timeout(ROOM_LIST_TIMEOUT_MS) });
    // Timed at the answer's headers, before the body is read and parsed: the network's share, not ours.
    const pingMs = performance.now() - startedAt;
    if (!response.ok) return failed('http-status', `the server answered ${response.status}`);
    const parsed = parseRoomList(await response.json());
    return parsed.ok ? ok({ list: parsed.value, pingMs }) : parsed;
  } catch (error) {
    return failed('unreachable', error instanceof Error ? error.message : String(error));
  }
}

function renderRooms(list: HTMLUListElement, rooms: RoomList, onPick: (room: string) => void) {
  // A refresh replaces the rows: keep the keyboard on the room it was on.
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.room : undefined;
  const rows = rooms.rooms.slice(0, MAX_LISTED_ROOMS).map((room) => roomRow(room, onPick));
  if (rooms.rooms.length === 0) rows.push(textElement('li', 'note', 'No rooms yet: quick play or a new room opens one.'));
  const more = rooms.rooms.length - MAX_LISTED_ROOMS;
  if (more > 0) rows.push(textElement('li', 'note', `and ${more} more, emptier rooms`));
  if (rooms.roomsLeft === 0) rows.push(textElement('li', 'note', 'This server hosts all the rooms it may: join one of these.'));
  list.replaceChildren(...rows);
  if (focused) list.querySelector<HTMLButtonElement>(`button[data-room="${focused}"]`)?.focus();
}

function roomRow(room: RoomSummary, onPick: (room: string) => void): HTMLLIElement {
  const full = room.players >= room.capacity;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = full ? 'room full' : 'room';
  button.dataset.room = room.name; // a room name is [a-z0-9_-]: safe in the selector above
  button.disabled = full;
  button.title = full ? `${room.name} is full` : `Join ${room.name}`;
  button.append(
    textElement('span', 'room-name', room.name),
    textElement('span', 'room-players', full ? `full · ${room.players} / ${room.capacity}` : `${room.players} / ${room.capacity}`),
  );
  button.onclick = () => onPick(room.name);
  const row = document.createElement('li');
  row.append(button);
  return row;
}
