// Where a redirect may send a player: only a bare http(s) origin, checked by
// the wire schema the client parses `redirect` with, and by the directory
// before a server sends one.
import { describe, expect, it } from 'vitest';
import { serverOrigin } from '../../protocol/wire/server-url.ts';
import { parseServerMessage } from '../../protocol/wire/stream.ts';

describe('serverOrigin', () => {
  it('accepts a bare http(s) origin and normalises it', () => {
    expect(serverOrigin('http://127.0.0.1:8081')).toBe('http://127.0.0.1:8081');
    expect(serverOrigin('https://Game.Example/')).toBe('https://game.example');
    expect(serverOrigin('http://[::1]:9000')).toBe('http://[::1]:9000');
  });

  it.each([
    ['another scheme', 'javascript:alert(1)'],
    ['a file', 'file:///etc/passwd'],
    ['credentials', 'http://user:pw@game.example'],
    ['a path', 'http://game.example/evil'],
    ['a query', 'http://game.example/?next=x'],
    ['a fragment', 'http://game.example/#x'],
    ['not a URL', 'game.example:8080'],
  ])('refuses %s', (_, url) => {
    expect(serverOrigin(url)).toBeNull();
  });
});

describe('the redirect message', () => {
  const redirect = (url: string, extra: object = { reservation: 'abcdefghijklmnopqrstuvwx' }) =>
    parseServerMessage(JSON.stringify({ type: 'redirect', url, room: 'south', ...extra }));

  it('is accepted to a bare origin, with or without a reservation', () => {
    expect(redirect('http://127.0.0.1:8081').ok).toBe(true);
    expect(redirect('http://127.0.0.1:8081', {}).ok).toBe(true);
  });

  it('is refused to anything else', () => {
    expect(redirect('http://127.0.0.1:8081/phish').ok).toBe(false);
    expect(redirect('http://user:pw@127.0.0.1:8081').ok).toBe(false);
  });
});
