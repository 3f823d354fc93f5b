// geckos keeps its RTCPeerConnection private, and makes it inside connect()
// once the offer's POST has answered: by the time connect() resolves, ICE,
// DTLS and SCTP are over. To watch them from their start, the tap catches
// the peer connection at the moment geckos assigns it (an accessor on that
// one channel's connections manager, never a global patch: the bots run many
// channels in one process) and reports what its own events say, each step
// once, for the connection timeline. It only listens; geckos' handlers stay.
import type { ClientChannel } from '@geckos.io/client';
import type { StepReport, WebRtcStack } from '../connection-events.ts';

/** What geckos' ClientChannel keeps inside (geckos 3.1: channel.connectionsManager.localPeerConnection, .remotePeerConnection.id). */
interface GeckosInternals {
  connectionsManager?: { localPeerConnection?: RTCPeerConnection; remotePeerConnection?: { id?: string } };
}

/**
 * Reports the peer connection's steps through `report`, and `onMade` with
 * geckos' id for the connection (its signaling URLs carry it). Does nothing
 * if geckos' insides are not what this version has.
 */
export function tapPeerConnection(channel: ClientChannel, report: StepReport, onMade: (connectionId: string | undefined) => void): void {
  const manager = (channel as unknown as GeckosInternals).connectionsManager;
  if (!manager || 'localPeerConnection' in manager) return;
  let made: RTCPeerConnection | undefined;
  Object.defineProperty(manager, 'localPeerConnection', {
    configurable: true,
    enumerable: true,
    get: () => made,
    set: (pc: RTCPeerConnection) => {
      made = pc;
      onMade(manager.remotePeerConnection?.id);
      watch(pc, report);
    },
  });
}

/** The browser has DTLS and SCTP transports of its own; node-datachannel's polyfill has no RTCDtlsTransport class to show. */
function stackOf(): WebRtcStack {
  return typeof (globalThis as { RTCDtlsTransport?: unknown }).RTCDtlsTransport === 'function' ? 'browser' : 'polyfill';
}

function watch(pc: RTCPeerConnection, report: StepReport) {
  const stack = stackOf();
  report('peer-connection', stack);
  pc.addEventListener('icegatheringstatechange', () => {
    if (pc.iceGatheringState === 'gathering') report('ice-gathering');
    else if (pc.iceGatheringState === 'complete') report('ice-gathered');
  });
  pc.addEventListener('iceconnectionstatechange', () => {
    const state = pc.iceConnectionState;
    if (state === 'checking') report('ice-checking');
    else if (state === 'connected' || state === 'completed') report('ice-connected');
    else if (state === 'failed') report('ice-failed');
  });
  pc.addEventListener('datachannel', ({ channel }) => {
    if (channel.readyState === 'open') report('data-channel');
    else channel.addEventListener('open', () => report('data-channel'), { once: true });
  });
  // The polyfill's transports only echo the peer connection's state: nothing to tell apart there.
  if (stack === 'polyfill') return;
  // pc.sctp exists once the answer is applied (the signaling state is stable again); DTLS starts after ICE, later still.
  let watching = false;
  pc.addEventListener('signalingstatechange', () => {
    if (watching || pc.signalingState !== 'stable' || !pc.sctp) return;
    watching = true;
    watchTransports(pc.sctp, report);
  });
}

function watchTransports(sctp: RTCSctpTransport, report: StepReport) {
  const dtls = sctp.transport;
  const dtlsState = () => {
    if (dtls.state === 'connecting') report('dtls-connecting');
    else if (dtls.state === 'connected') report('dtls-connected');
    else if (dtls.state === 'failed') report('dtls-failed');
  };
  const sctpState = () => {
    if (sctp.state === 'connected') report('sctp-connected');
  };
  dtlsState();
  sctpState();
  dtls.addEventListener('statechange', dtlsState);
  sctp.addEventListener('statechange', sctpState);
}
