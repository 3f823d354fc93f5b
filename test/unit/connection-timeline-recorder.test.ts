// One connection's server-side timeline (game-server/transport/connection-timeline-recorder.ts):
// steps in start order, each once, never ending before they start, bounded in
// number and detail, and a message only when there is something new — each
// one valid on the wire.
import { describe, expect, it } from 'vitest';
import { TIMELINE_MAX_DETAIL_CHARS, TIMELINE_MAX_SERVER_STEPS, SERVER_STEP_IDS } from '../../protocol/connection-timeline.ts';
import { parseServerMessage, type ConnectionTimelineMessage } from '../../protocol/wire/stream.ts';
import { ConnectionTimelineRecorder } from '../../game-server/transport/connection-timeline-recorder.ts';

/** The recorder's message, through the client's own parser: what a player would receive. */
function received(recorder: ConnectionTimelineRecorder): ConnectionTimelineMessage | null {
  const message = recorder.nextMessage();
  if (!message) return null;
  const parsed = parseServerMessage(JSON.stringify(message));
  if (!parsed.ok) throw new Error(`refused by the schema: ${parsed.message}`);
  return parsed.value as ConnectionTimelineMessage;
}

describe('ConnectionTimelineRecorder', () => {
  it('sends its steps earliest start first, with the channel and our connection id', () => {
    const recorder = new ConnectionTimelineRecorder('stream', 'stream-3');
    recorder.add('tcp-accept', 10);
    recorder.add('hello-welcome', 30, 31);
    recorder.add('http-upgrade', 10, 12);
    recorder.add('upgrade-101', 12, 12.5);
    expect(received(recorder)).toEqual({
      type: 'connection-timeline',
      channel: 'stream',
      connectionId: 'stream-3',
      steps: [
        { id: 'tcp-accept', startMs: 10, endMs: 10 },
        { id: 'http-upgrade', startMs: 10, endMs: 12 },
        { id: 'upgrade-101', startMs: 12, endMs: 12.5 },
        { id: 'hello-welcome', startMs: 30, endMs: 31 },
      ],
    });
  });

  it('orders steps that start together as a connection passes them', () => {
    const recorder = new ConnectionTimelineRecorder('datagram', 'datagram-4');
    recorder.add('token-accepted', 20, 20.01);
    recorder.add('signaling-offer', 20, 60);
    recorder.add('first-datagram-out', 90);
    recorder.add('first-datagram-in', 90);
    expect(received(recorder)?.steps.map((step) => step.id)).toEqual(['signaling-offer', 'token-accepted', 'first-datagram-in', 'first-datagram-out']);
  });

  it('keeps a step once: a second note of the same id is ignored', () => {
    const recorder = new ConnectionTimelineRecorder('datagram', 'datagram-1');
    recorder.add('first-datagram-in', 5);
    recorder.add('first-datagram-in', 9);
    expect(received(recorder)?.steps).toEqual([{ id: 'first-datagram-in', startMs: 5, endMs: 5 }]);
  });

  it('rounds to a tenth of a millisecond and never lets a step end before it starts', () => {
    const recorder = new ConnectionTimelineRecorder('datagram', 'datagram-1');
    recorder.add('ice', 1.234, 1.2);
    recorder.add('channel-open', 7.26, 3);
    expect(received(recorder)?.steps).toEqual([
      { id: 'ice', startMs: 1.2, endMs: 1.2 },
      { id: 'channel-open', startMs: 7.3, endMs: 7.3 },
    ]);
  });

  it('cuts a detail to TIMELINE_MAX_DETAIL_CHARS', () => {
    const recorder = new ConnectionTimelineRecorder('stream', 'stream-1');
    recorder.add('hello-redirect', 1, 2, 'x'.repeat(TIMELINE_MAX_DETAIL_CHARS + 50));
    expect(received(recorder)?.steps[0]?.detail).toHaveLength(TIMELINE_MAX_DETAIL_CHARS);
  });

  it('never holds more than TIMELINE_MAX_SERVER_STEPS steps, however many notes it gets', () => {
    const recorder = new ConnectionTimelineRecorder('datagram', 'datagram-1');
    for (let round = 0; round < 3; round++) for (const [i, id] of SERVER_STEP_IDS.entries()) recorder.add(id, round * 100 + i);
    const steps = received(recorder)?.steps ?? [];
    expect(steps.length).toBe(Math.min(SERVER_STEP_IDS.length, TIMELINE_MAX_SERVER_STEPS));
    expect(steps.every((step) => step.startMs < 100)).toBe(true); // the first note of each
  });

  it('has a message only when a step was added since the last one, each carrying every step so far', () => {
    const recorder = new ConnectionTimelineRecorder('datagram', 'datagram-2');
    expect(recorder.nextMessage()).toBeNull();
    recorder.add('signaling-offer', 1, 4);
    expect(received(recorder)?.steps.map((step) => step.id)).toEqual(['signaling-offer']);
    expect(recorder.nextMessage()).toBeNull();
    recorder.add('closed', 9);
    expect(received(recorder)?.steps.map((step) => step.id)).toEqual(['signaling-offer', 'closed']);
  });
});
