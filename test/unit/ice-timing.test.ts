// The ICE step of a data channel's timeline (game-server/transport/geckos/ice-timing.ts):
// from the reported (or read) start of checks to connected, with what stood
// in for a missing report said in the step's detail. The peer here is a
// plain object standing for node-datachannel's, driven by hand.
import { describe, expect, it } from 'vitest';
import { ConnectionTimelineRecorder } from '../../game-server/transport/connection-timeline-recorder.ts';
import { IceTiming, type IcePeer } from '../../game-server/transport/geckos/ice-timing.ts';

/** A peer whose ICE state the test sets, and whose state callback it fires. */
function handDrivenPeer() {
  let report: (state: string) => void = () => {};
  const peer = {
    state: 'new',
    onIceStateChange(callback: (state: string) => void) {
      report = callback;
    },
    iceState() {
      return peer.state;
    },
    report: (state: string) => report(state),
  };
  return peer;
}

function setUp() {
  let nowMs = 0;
  const timeline = new ConnectionTimelineRecorder('datagram', 'datagram-1');
  const ice = new IceTiming(timeline, () => nowMs);
  const peer = handDrivenPeer();
  ice.watch(peer as unknown as IcePeer);
  const at = (ms: number) => (nowMs = ms);
  const iceStep = () => timeline.nextMessage()?.steps.find((step) => step.id === 'ice');
  return { ice, peer, at, iceStep };
}

describe('IceTiming', () => {
  it('runs from checking to connected as reported, with no detail', () => {
    const { peer, at, iceStep } = setUp();
    at(10);
    peer.report('checking');
    at(25);
    peer.report('connected');
    expect(iceStep()).toEqual({ id: 'ice', startMs: 10, endMs: 25 });
  });

  it('reads the start as the answer is applied when checking is never reported', () => {
    const { ice, peer, at, iceStep } = setUp();
    peer.state = 'checking';
    at(12);
    ice.answerApplied(peer as unknown as IcePeer);
    at(30);
    peer.report('connected');
    expect(iceStep()).toEqual({ id: 'ice', startMs: 12, endMs: 30 });
  });

  it('ends at the channel open when connected is reported after it, and says so', () => {
    const { ice, peer, at, iceStep } = setUp();
    peer.state = 'checking';
    at(12);
    ice.answerApplied(peer as unknown as IcePeer);
    ice.opened(40);
    at(45);
    peer.report('connected');
    expect(iceStep()).toEqual({ id: 'ice', startMs: 12, endMs: 40, detail: 'connected reported after the open: ends there' });
    expect(ice.connectedAtMs).toBe(40);
  });

  it('says when the start was never seen', () => {
    const { ice, iceStep } = setUp();
    ice.opened(40);
    expect(iceStep()?.detail).toBe('start not seen; connected reported after the open: ends there');
  });

  it('records a failure as the step, with its detail', () => {
    const { peer, at, iceStep } = setUp();
    at(5);
    peer.report('checking');
    at(5000);
    peer.report('failed');
    expect(iceStep()).toEqual({ id: 'ice', startMs: 5, endMs: 5000, detail: 'failed' });
  });
});
