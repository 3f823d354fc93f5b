// Which unhandled rejections the server survives: only geckos' handshake race.
import { describe, expect, it } from 'vitest';
import { isGeckosHandshakeRace } from '../../game-server/transport/geckos/rejection-guard.ts';

describe('isGeckosHandshakeRace', () => {
  it("recognizes a TypeError thrown in geckos' connection manager", () => {
    const error = new TypeError("Cannot read properties of null (reading 'maxMessageSize')");
    error.stack = `${error.message}\n    at node_modules/@geckos.io/server/lib/wrtc/connectionsManager.js:79:85`;
    expect(isGeckosHandshakeRace(error)).toBe(true);
  });

  it('leaves every other rejection fatal', () => {
    expect(isGeckosHandshakeRace(new Error('boom'))).toBe(false);
    expect(isGeckosHandshakeRace('not an error')).toBe(false);
  });
});
