// Browser entry point: pick a name and a room (or resume this tab's player
// in its room), connect, start Phaser, wire the UI, and expose
// window.netcode for tests and curious players.
import Phaser from 'phaser';
import { ERROR_ROOM_FULL } from '../protocol/constants.ts';
import { checkName, checkRoomName, type GameEvent } from '../protocol/wire/stream.ts';
import { ClientGame, type JoinOptions } from './client-game.ts';
import type { GameStatus } from './game-view.ts';
import { JoinRefusedError } from './net/net-client.ts';
import { worldToCanvas } from './play/arena-fit.ts';
import { settingsFromQuery } from './play/settings.ts';
import { forgetSavedPlayer, loadSavedPlayer, savePlayer, type SavedPlayer } from './saved-player.ts';
import { ArenaScene } from './scenes/ArenaScene.ts';
import { ARENA_SCENE } from './scenes/scene-keys.ts';
import { setAddressParam } from './ui/address-bar.ts';
import { createChatBox } from './ui/chat.ts';
import { byId } from './ui/dom.ts';
import { renderHud } from './ui/hud.ts';
import { askToJoin, type JoinChoice } from './ui/join-screen.ts';
import { measureLayout, type PageLayout } from './ui/layout.ts';
import { createNetGraph } from './ui/net-graph.ts';
import { createNetworkPanel } from './ui/network-panel.ts';
import { createTimelinePanel } from './ui/timeline-panel.ts';
import { watchForLostRoom } from './ui/room-gone.ts';
import { wireShareButton } from './ui/room-share.ts';
import { renderScoreboard } from './ui/scoreboard.ts';
import { showToast } from './ui/toasts.ts';

const HUD_REFRESH_MS = 250;

const params = new URLSearchParams(location.search);
let scene: ArenaScene | null = null;
let game: ClientGame | null = null;
const chat = createChatBox(
  (text) => game?.chat(text),
  (typing) => scene?.setKeysEnabled(!typing),
);
/** True once this page has been welcomed: later welcomes are reconnects. */
let welcomedBefore = false;

game = await joinGame();
const joined = game;
byId('page').hidden = false;
createNetworkPanel(joined, () => chat.typing);
createNetGraph(joined, () => chat.typing);
createTimelinePanel(joined, () => chat.typing);
wireShareButton();
// Quick play after a lost room: the same name, a fresh start at the entry point.
watchForLostRoom(joined, () => {
  forgetSavedPlayer();
  location.assign(`/?name=${encodeURIComponent(joined.net.name)}`);
});

declare global {
  interface Window {
    /** `session`: the client game (the name tests and benchmarks have always used). */
    netcode: { status: () => GameStatus & { layout: PageLayout | null }; session: ClientGame };
  }
}
window.netcode = {
  status: () => {
    const status = joined.status();
    return { ...status, layout: layoutNow(status) };
  },
  session: joined,
};

const phaser = new Phaser.Game({
  type: Phaser.AUTO,
  parent: 'game',
  backgroundColor: '#0d0f17',
  banner: false,
  // Sized by us, to the arena's region of the page (below), not by Phaser's window-following modes.
  scale: { mode: Phaser.Scale.NONE, width: byId('game').clientWidth || 1, height: byId('game').clientHeight || 1 },
  scene: [],
});
phaser.scene.add(ARENA_SCENE, ArenaScene, true, { source: joined });
// The arena's region changes with the window and with the panels around it
// (the network panel opens, the net graph hides): the canvas follows it.
new ResizeObserver(([entry]) => {
  const { width, height } = entry!.contentRect;
  if (width > 0 && height > 0) phaser.scale.resize(Math.floor(width), Math.floor(height));
}).observe(byId('game'));
// The scene exists once Phaser has booted (scenes added before that are queued).
phaser.events.once(Phaser.Core.Events.READY, () => (scene = phaser.scene.getScene(ARENA_SCENE) as ArenaScene));
const refresh = () => {
  renderHud(joined.status());
  byId('legend').hidden = joined.settings.path !== 'compare';
};
refresh();
setInterval(refresh, HUD_REFRESH_MS);

/**
 * Chooses a name and a room, and joins. A reload resumes this tab's saved
 * player in its room without asking; a `?name=` link joins with that name;
 * a `?room=` link joins (or opens) that room; otherwise the join screen
 * asks. A refused join (a bad name, a full room) brings the join screen
 * back, with the reason.
 */
async function joinGame(): Promise<ClientGame> {
  let saved = loadSavedPlayer();
  let linkName = params.get('name');
  let suggestion = linkName ?? saved?.name ?? '';
  let problem = '';
  let invitedRoom: string | undefined;
  const linkRoom = params.get('room');
  if (linkRoom !== null) {
    const checked = checkRoomName(linkRoom);
    if (checked.ok) invitedRoom = checked.name;
    else {
      setAddressParam('room', null);
      problem = `The room in the link cannot be used. ${checked.message}`;
    }
  }
  for (;;) {
    let choice: JoinChoice;
    const nameFromLink = linkName === null ? null : checkName(linkName);
    linkName = null;
    if (nameFromLink && !nameFromLink.ok) {
      setAddressParam('name', null);
      problem = `The name in the link cannot be used. ${nameFromLink.message}`;
      suggestion = suggestion.trim();
    }
    if (nameFromLink?.ok && !problem) choice = { name: nameFromLink.name, room: invitedRoom };
    else if (saved && !problem) choice = { name: saved.name, room: invitedRoom };
    else choice = await askToJoin({ suggestion, problem, invitedRoom });
    const join = joinOptions(choice, saved);
    const attempt: ClientGame = newGame(join);
    game = attempt;
    try {
      await attempt.start();
      return attempt;
    } catch (error) {
      attempt.close();
      if (!(error instanceof JoinRefusedError)) throw error;
      problem =
        error.code === ERROR_ROOM_FULL
          ? `${join.room ? `Room ${join.room}` : 'That room'} is full. Pick another room, or quick play.`
          : `The server did not let you in: ${error.message}`;
      suggestion = choice.name;
      saved = null;
      // The link failed: a reload must not try it again.
      invitedRoom = undefined;
      setAddressParam('name', null);
      setAddressParam('room', null);
    }
  }
}

/**
 * Resumes the saved player if the choice is that player: the same name, in
 * its room (a choice without a room, quick play, goes back to it too).
 */
function joinOptions(choice: JoinChoice, saved: SavedPlayer | null): JoinOptions {
  const resuming = saved !== null && saved.name === choice.name && (choice.room === undefined || choice.room === saved.room);
  const room = choice.room ?? (resuming ? saved.room : undefined);
  return {
    name: choice.name,
    ...(room !== undefined ? { room } : {}),
    ...(resuming ? { resume: { sessionToken: saved.sessionToken, lastSeq: saved.lastSeq } } : {}),
  };
}

function newGame(join: JoinOptions): ClientGame {
  const created: ClientGame = new ClientGame(location.origin, join, settingsFromQuery(params), {
    onWelcome: (welcome, freshStart) => {
      // The address bar names the room from now on: reloading or sharing it comes back here.
      setAddressParam('room', welcome.room.name);
      if (!welcomedBefore) for (const line of welcome.recentChat) chat.addLine(line.name, line.text, true);
      if (freshStart) {
        chat.addNotice(`The server restarted and no longer knew you: you joined as a new player (#${welcome.playerId}, score 0).`);
        showToast('Joined as a new player: the server restarted');
      } else if (welcomedBefore) {
        chat.addNotice(welcome.resumed ? 'Reconnected: same player, same score.' : `Welcome, ${welcome.name}.`);
      } else {
        chat.addNotice(welcome.resumed ? `Welcome back, ${welcome.name}.` : `Welcome to ${welcome.room.name}, ${welcome.name}.`);
      }
      if (!welcome.replayComplete) chat.addNotice('You were away long enough that some older messages are not shown.');
      welcomedBefore = true;
      refreshScores(created);
      remember(created);
    },
    onShutdown: (reason) => chat.addNotice(`The server is shutting down (${reason}). The game reconnects when it is back.`),
    onEvent: (event, replayed) => {
      describe(created, event, replayed);
      refreshScores(created);
      remember(created);
    },
    onServerError: (error) => chat.addNotice(`Server: ${error.message}`),
    onStateChange: () => welcomedBefore && renderHud(created.status()),
  });
  return created;
}

function describe(current: ClientGame, event: GameEvent, replayed: boolean) {
  const who = current.roster.nameOf(event.playerId);
  switch (event.type) {
    case 'chat':
      return chat.addLine(event.name, event.text, replayed);
    case 'join':
      return chat.addNotice(`${event.name} joined`);
    case 'leave':
      return chat.addNotice(`${event.name} left`);
    case 'score':
      if (!replayed) showToast(event.playerId === current.playerId ? `You scored! (${event.score})` : `${who} scored (${event.score})`);
      return;
  }
}

function refreshScores(current: ClientGame) {
  renderScoreboard(current.roster.ranked(), current.playerId);
}

function remember(current: ClientGame) {
  savePlayer(current.savedPlayer());
}

/** Where the arena, the panels and our player are on the page now (null before Phaser draws). */
function layoutNow(status: GameStatus): PageLayout | null {
  if (!scene?.sys.isActive()) return null;
  const fit = scene.arenaOnCanvas;
  const own = status.entities.find((e) => e.id === status.playerId);
  return measureLayout(fit, own ? worldToCanvas(fit, own.x, own.y) : null);
}
