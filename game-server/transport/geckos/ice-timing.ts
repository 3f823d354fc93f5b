// The ICE step of a data channel's timeline: from the first connectivity
// check to connected (or failed), on the server's clock, as node-datachannel
// lets us see it. geckos takes the peer connection's onStateChange but never
// onIceStateChange, so that one is ours; it is set while the offer is being
// answered, before the client can start checks.
//
// What node-datachannel 0.33 reports, and what stands in where it does not:
// - no `checking` (the state changes inside setRemoteDescription): the state
//   is read as the client's answer is applied (answerApplied);
// - each callback arrives on its own queue, so `connected` can come after
//   the data channel's open, which cannot happen before ICE connects: the
//   open ends the step then (opened).
// Each stand-in is said in the step's detail, never passed off as a report.
import type { ServerChannel } from '@geckos.io/server';
import type { ConnectionTimelineRecorder } from '../connection-timeline-recorder.ts';

/** What is read of the native peer connection (node-datachannel's PeerConnection). */
export type IcePeer = Pick<NonNullable<ServerChannel['webrtcConnection']>['peerConnection'], 'onIceStateChange' | 'iceState'>;

export class IceTiming {
  private checkingAtMs: number | null = null;
  /** When ICE connected (or the open that stood in for it): where the channel-open step starts. */
  connectedAtMs: number | null = null;

  constructor(
    private readonly timeline: ConnectionTimelineRecorder,
    private readonly clock: () => number,
  ) {}

  /** Listens to the peer connection's ICE state (a peer already closed is left alone: its close is reported). */
  watch(peer: IcePeer | undefined): void {
    try {
      peer?.onIceStateChange((state: string) => {
        const now = this.clock();
        if (state === 'checking') this.checkingAtMs ??= now;
        else if (state === 'connected' || state === 'completed') this.connected(now);
        else if (state === 'failed') this.timeline.add('ice', this.checkingAtMs ?? now, now, 'failed');
      });
    } catch {
      // Closed under us.
    }
  }

  /** The client's answer was just applied (geckos sets it, then writes its 200): checks begin now, if ICE says it is checking. */
  answerApplied(peer: IcePeer | undefined): void {
    if (this.checkingAtMs !== null) return;
    try {
      if (peer?.iceState() === 'checking') this.checkingAtMs = this.clock();
    } catch {
      // Closed under us.
    }
  }

  /** The data channel opened at `atMs`: ICE had connected by then, reported or not. */
  opened(atMs: number): void {
    this.connected(atMs, 'connected reported after the open: ends there');
  }

  /** Ends the step at `atMs`, once; `approximation` says what stood in for a report. */
  private connected(atMs: number, approximation?: string): void {
    if (this.timeline.has('ice')) return;
    this.connectedAtMs = atMs;
    const notes = [this.checkingAtMs === null ? 'start not seen' : '', approximation ?? ''].filter(Boolean);
    this.timeline.add('ice', this.checkingAtMs ?? atMs, atMs, notes.length > 0 ? notes.join('; ') : undefined);
  }
}
