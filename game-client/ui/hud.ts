// The HUD: the room (with a link to share it), each channel's state, RTT and
// update age, who you are, and one plain note about what is wrong, if
// anything: the server gone or restarting first (nothing else matters then),
// WebRTC trouble after.
import type { ChannelStatus, GameStatus } from '../game-view.ts';
import { byId, textElement } from './dom.ts';
import { renderRoomLine } from './room-share.ts';

export function renderHud(status: GameStatus): void {
  byId('hud').hidden = false;
  renderRoomLine(status.room, status.roomCapacity, status.players.length);
  const line = (label: string, channel: ChannelStatus, carriesPositions: boolean) => {
    const row = textElement('div', '', `${label.padEnd(9)}`);
    row.append(textElement('span', `state-${channel.state}`, channel.state.padEnd(12)));
    if (channel.state === 'open') {
      const age = carriesPositions ? ` · age ${channel.recent.ageP50Ms.toFixed(0)} ms` : ' · events';
      row.append(document.createTextNode(`rtt ${channel.recent.rttMs.toFixed(0)} ms${age}`));
    }
    return row;
  };
  const { datagram, stream } = status.channels;
  const datagramCarries = datagram.state === 'open' && status.path !== 'stream';
  byId('hud-channels').replaceChildren(
    line('datagram', datagram, datagramCarries),
    line('stream', stream, !datagramCarries || status.path !== 'datagram'),
    textElement('div', '', `${status.fps} fps · ${status.name} (#${status.playerId})`),
    ...(status.kernelLossPct > 0 ? [textElement('div', 'kernel-loss', kernelLossLine(status))] : []),
  );
  const trouble = connectionTrouble(status);
  byId('hud-note').textContent = trouble ?? status.datagramNote;
  const banner = byId('banner');
  banner.hidden = trouble === null;
  banner.textContent = trouble ?? '';
}

/** In a lab run: the kernel's real loss, next to whatever the player simulates on top. */
export function kernelLossLine(status: GameStatus): string {
  return `real loss ${status.kernelLossPct} % (kernel) · simulated loss ${status.settings.loss} %`;
}

/** What to tell the player while the stream is down, or null while it is up. */
function connectionTrouble(status: GameStatus): string | null {
  const { stream, shutdownReason, reconnectAttempts } = status.connection;
  if (stream !== 'reconnecting') return null;
  const attempt = reconnectAttempts > 1 ? ` (attempt ${reconnectAttempts})` : '';
  return shutdownReason ? `The server shut down (${shutdownReason}): reconnecting when it is back${attempt}…` : `Connection lost: reconnecting${attempt}…`;
}
