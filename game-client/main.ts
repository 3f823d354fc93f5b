// Browser entry point: pick a name, connect, start Phaser, wire the UI, and
// expose window.netcode for tests and curious players.
import Phaser from 'phaser';
import type { GameEvent } from '../protocol/stream.ts';
import { GameSession } from './game-session.ts';
import { ArenaScene } from './scenes/ArenaScene.ts';
import { NetGraphScene } from './scenes/NetGraphScene.ts';
import { ARENA_SCENE, NET_GRAPH_SCENE } from './scenes/scene-keys.ts';
import { settingsFromQuery } from './play/settings.ts';
import { byId } from './ui/dom.ts';
import { createNetworkPanel } from './ui/network-panel.ts';
import { createChatBox } from './ui/chat.ts';
import { renderHud } from './ui/hud.ts';
import { askForName } from './ui/join-screen.ts';
import { renderScoreboard } from './ui/scoreboard.ts';
import { loadSavedSession, saveSession } from './saved-session.ts';
import { showToast } from './ui/toasts.ts';

const HUD_REFRESH_MS = 250;

const params = new URLSearchParams(location.search);
const saved = loadSavedSession();
const name = params.get('name')?.trim() || (await askForName(saved?.name ?? ''));
// A reload in the same tab resumes the same player (sessionStorage is per tab).
const resume = saved && saved.name === name ? { sessionToken: saved.sessionToken, lastSeq: saved.lastSeq } : undefined;

let scene: ArenaScene | null = null;
const chat = createChatBox(
  (text) => session.net.chat(text),
  (typing) => scene?.setKeysEnabled(!typing),
);

const session: GameSession = new GameSession(location.origin, name, resume, settingsFromQuery(params), {
  onWelcome: (welcome) => {
    for (const line of welcome.recentChat) chat.addLine(line.name, line.text, true);
    chat.addNotice(welcome.resumed ? `Welcome back, ${welcome.name}.` : `Welcome, ${welcome.name}.`);
    if (!welcome.replayComplete) chat.addNotice('You were away long enough that some older messages are not shown.');
    refreshScores();
    remember();
  },
  onEvent: (event, replayed) => {
    describe(event, replayed);
    refreshScores();
    remember();
  },
  onServerError: (error) => chat.addNotice(`Server: ${error.message}`),
  onStateChange: () => renderHud(session.net, session.fps, session.settings.path),
});
createNetworkPanel(session, () => chat.typing);

declare global {
  interface Window {
    netcode: { status: () => ReturnType<GameSession['status']>; session: GameSession };
  }
}
window.netcode = { status: () => session.status(), session };

await session.start();

const game = new Phaser.Game({
  type: Phaser.AUTO,
  parent: 'game',
  backgroundColor: '#0d0f17',
  banner: false,
  scale: { mode: Phaser.Scale.RESIZE, width: '100%', height: '100%' },
  scene: [],
});
game.scene.add(ARENA_SCENE, ArenaScene, true, { session });
game.scene.add(NET_GRAPH_SCENE, NetGraphScene, true, { session });
scene = game.scene.getScene(ARENA_SCENE) as ArenaScene;
setInterval(() => {
  renderHud(session.net, session.fps, session.settings.path);
  byId('legend').hidden = session.settings.path !== 'compare';
}, HUD_REFRESH_MS);

function describe(event: GameEvent, replayed: boolean) {
  const who = session.roster.nameOf(event.playerId);
  switch (event.type) {
    case 'chat':
      return chat.addLine(event.name, event.text, replayed);
    case 'join':
      return chat.addNotice(`${event.name} joined`);
    case 'leave':
      return chat.addNotice(`${who} left`);
    case 'score':
      if (!replayed) showToast(event.playerId === session.net.playerId ? `You scored! (${event.score})` : `${who} scored (${event.score})`);
      return;
  }
}

function refreshScores() {
  renderScoreboard(session.roster.ranked(), session.net.playerId);
}

function remember() {
  saveSession({ name: session.net.name, sessionToken: session.net.sessionToken, lastSeq: session.net.lastSeq });
}
