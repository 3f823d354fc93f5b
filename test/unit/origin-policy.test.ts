// Which pages may open the stream: the page's own origin, the allow-list and
// the cluster's servers; no Origin (not a browser) is let through.
import { describe, expect, it } from 'vitest';
import { ANY_ORIGIN, originAllowed, type OriginAllowList } from '../../game-server/transport/origin-policy.ts';
import { serverOrigin } from '../../protocol/wire/server-url.ts';

const none: OriginAllowList = { allowed: [], clusterOrigins: () => [] };
const from = (origin: string | undefined, host = '127.0.0.1:8080') => ({ origin, host });

describe('serverOrigin, as the Origin check reads origins', () => {
  it('normalises case and leaves out a default port', () => {
    expect(serverOrigin('HTTPS://Play.Example.COM:443')).toBe('https://play.example.com');
    expect(serverOrigin('http://play.example.com:80/')).toBe('http://play.example.com');
    expect(serverOrigin('http://[::1]:5173')).toBe('http://[::1]:5173');
  });

  it('refuses what is not an http(s) origin', () => {
    for (const text of [
      'null',
      'play.example.com',
      'ws://play.example.com',
      'https://play.example.com/game',
      'https://play.example.com/?',
      'https://play.example.com#x',
      'https://user@play.example.com',
      '',
    ]) {
      expect(serverOrigin(text)).toBeNull();
    }
  });
});

describe('originAllowed', () => {
  it('lets a request without an Origin through (bots, tests: not a browser)', () => {
    expect(originAllowed(from(undefined), none)).toBe(true);
  });

  it("lets the page's own origin through, whatever scheme a proxy in front terminated", () => {
    expect(originAllowed(from('http://127.0.0.1:8080'), none)).toBe(true);
    expect(originAllowed(from('https://play.example.com', 'play.example.com'), none)).toBe(true);
    expect(originAllowed(from('https://play.example.com', 'play.example.com:443'), none)).toBe(true);
    expect(originAllowed(from('http://PLAY.example.com:8080', 'play.example.com:8080'), none)).toBe(true);
  });

  it('refuses another host, or the same host on another port', () => {
    expect(originAllowed(from('https://evil.example'), none)).toBe(false);
    expect(originAllowed(from('http://127.0.0.1:8081'), none)).toBe(false);
    expect(originAllowed(from('http://127.0.0.1'), none)).toBe(false);
    expect(originAllowed(from('http://play.example.com', 'play.example.com:443'), none)).toBe(false);
  });

  it('refuses an Origin of "null" or junk, and a Host that is missing or not a host', () => {
    expect(originAllowed(from('null'), none)).toBe(false);
    expect(originAllowed(from('http://127.0.0.1:8080/x'), none)).toBe(false);
    expect(originAllowed({ origin: 'http://127.0.0.1:8080', host: undefined }, none)).toBe(false);
    expect(originAllowed(from('http://127.0.0.1:8080', '127.0.0.1:8080/path'), none)).toBe(false);
    expect(originAllowed(from('http://evil.example', 'x@evil.example'), none)).toBe(false);
  });

  it('lets an origin on the allow-list through, and only those', () => {
    const list = { allowed: ['https://play.example.com'], clusterOrigins: () => [] };
    expect(originAllowed(from('https://play.example.com'), list)).toBe(true);
    expect(originAllowed(from('https://PLAY.example.com:443'), list)).toBe(true);
    expect(originAllowed(from('http://play.example.com'), list)).toBe(false);
  });

  it('lets any origin through with *', () => {
    const list = { allowed: [ANY_ORIGIN], clusterOrigins: () => [] };
    expect(originAllowed(from('https://evil.example'), list)).toBe(true);
    expect(originAllowed(from('null'), list)).toBe(true);
  });

  it('lets a page of another server of the cluster through, by its URL', () => {
    const list = { allowed: [], clusterOrigins: () => ['http://192.0.2.10:8081', 'not a url', 'https://b.example.com/'] };
    expect(originAllowed(from('http://192.0.2.10:8081'), list)).toBe(true);
    expect(originAllowed(from('https://b.example.com'), list)).toBe(true);
    expect(originAllowed(from('http://192.0.2.10:8082'), list)).toBe(false);
  });

  it("asks for the cluster's servers only when the page is not its own or listed", () => {
    let asked = 0;
    const list = {
      allowed: ['https://play.example.com'],
      clusterOrigins: () => {
        asked++;
        return [];
      },
    };
    originAllowed(from(undefined), list);
    originAllowed(from('http://127.0.0.1:8080'), list);
    originAllowed(from('https://play.example.com'), list);
    expect(asked).toBe(0);
    originAllowed(from('https://evil.example'), list);
    expect(asked).toBe(1);
  });
});
