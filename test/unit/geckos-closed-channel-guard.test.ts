// The guard against geckos nulling a data channel before its late "open":
// once a connection is in the guarded map, a null assigned to its channel
// becomes a closed stand-in whose methods are harmless.
import { describe, expect, it } from 'vitest';
import { CLOSED_DATA_CHANNEL, keepClosedChannelsHarmless } from '../../game-server/transport/geckos/closed-channel-guard.ts';

describe('keepClosedChannelsHarmless', () => {
  it('turns a nulled data channel into a closed one that a late open handler can call', () => {
    const connections = new Map<string, { channel?: { dataChannel: unknown } }>();
    keepClosedChannelsHarmless(connections as never);
    const real = { isOpen: () => true };
    const connection = { channel: { dataChannel: real as unknown } };
    connections.set('c1', connection);
    expect(connections.get('c1')).toBe(connection);
    expect(connection.channel.dataChannel).toBe(real);

    connection.channel.dataChannel = null; // what geckos' WebRTCConnection.close() does
    const late = connection.channel.dataChannel as typeof CLOSED_DATA_CHANNEL;
    expect(late).toBe(CLOSED_DATA_CHANNEL);
    // geckos' open handler, then our gateway's check:
    expect(() => late.onMessage(() => {})).not.toThrow();
    expect(late.isOpen()).toBe(false);
  });

  it('leaves a connection without a channel alone', () => {
    const connections = new Map<string, { channel?: { dataChannel: unknown } }>();
    keepClosedChannelsHarmless(connections as never);
    connections.set('c2', {});
    expect(connections.get('c2')).toEqual({});
  });
});
