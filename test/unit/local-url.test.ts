// The URL a client on this machine uses for a server's listen address: the
// server prints it, and `npm run dev` points Vite's proxy at it.
import { describe, expect, it } from 'vitest';
import { localUrl } from '../../game-server/local-url.ts';

describe('localUrl', () => {
  it('reaches a server listening on every address through loopback', () => {
    expect(localUrl('0.0.0.0', 8080)).toBe('http://127.0.0.1:8080');
    expect(localUrl('::', 8080)).toBe('http://127.0.0.1:8080');
  });

  it('keeps a specific host, bracketing an IPv6 literal', () => {
    expect(localUrl('127.0.0.1', 9000)).toBe('http://127.0.0.1:9000');
    expect(localUrl('localhost', 9000)).toBe('http://localhost:9000');
    expect(localUrl('::1', 9000)).toBe('http://[::1]:9000');
  });
});
