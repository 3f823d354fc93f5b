// The HUD: each channel's state, RTT and update age, and a plain note when
// WebRTC could not connect and positions fall back to the stream.
import type { PositionPath } from '../../protocol/stream.ts';
import type { ChannelStatus, NetClient } from '../net/net-client.ts';
import { byId, textElement } from './dom.ts';

export function renderHud(net: NetClient, fps: number, path: PositionPath): void {
  byId('hud').hidden = false;
  const line = (label: string, status: ChannelStatus, carriesPositions: boolean) => {
    const row = textElement('div', '', `${label.padEnd(9)}`);
    row.append(textElement('span', `state-${status.state}`, status.state.padEnd(13)));
    if (status.state === 'open') {
      const age = carriesPositions ? ` · age ${status.ageP50Ms.toFixed(0)} ms` : ' · events';
      row.append(document.createTextNode(`rtt ${status.rttMs.toFixed(0)} ms${age}`));
    }
    return row;
  };
  const datagram = net.channelStatus('datagram');
  const stream = net.channelStatus('stream');
  const datagramCarries = datagram.state === 'open' && path !== 'stream';
  byId('hud-channels').replaceChildren(
    line('datagram', datagram, datagramCarries),
    line('stream', stream, !datagramCarries || path !== 'datagram'),
    textElement('div', '', `${fps.toFixed(0)} fps · player #${net.playerId}`),
  );
  byId('hud-note').textContent = net.datagramNote;
  const banner = byId('banner');
  banner.hidden = net.streamState !== 'reconnecting';
  banner.textContent = 'Connection lost: reconnecting…';
}
