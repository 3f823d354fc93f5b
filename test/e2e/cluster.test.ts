// A page in real headless Chromium, two real server processes and a real
// Redis: a link to a room on the other process sends the page there (stream
// and WebRTC both), and when that process dies the page says the room is
// gone and its quick play seats the player on the entry point.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, type PrivateRedis } from '../../scripts/redis-server.ts';
import { launchChromium } from '../../scripts/chromium.ts';
import { RawStream } from '../integration/harness.ts';
import { startServerScript, type ScriptProcess } from '../integration/script-process.ts';
import { openPage, waitForStatus, type GamePage } from './browser-harness.ts';

interface ServerProcess {
  process: ScriptProcess;
  url: string;
}

/** A game server process serving the built client on 127.0.0.1, in `redisUrl`'s directory; `flags` are more server flags. */
async function startServerProcess(id: string, redisUrl: string, flags: string[] = []): Promise<ServerProcess> {
  return startServerScript(['--host', '127.0.0.1', '--port', '0', '--redis-url', redisUrl, '--server-id', id, ...flags], `server ${id}`);
}

let redis: PrivateRedis;
let a: ServerProcess;
let b: ServerProcess;
let browser: Browser;
let holder: RawStream;

beforeAll(async () => {
  redis = await startPrivateRedis();
  // The page is served by A and sent to B: B lets A's page open its stream because A is registered in the directory.
  [a, b] = await Promise.all([startServerProcess('a', redis.url), startServerProcess('b', redis.url)]);
  // Someone already plays in `south` on B.
  holder = new RawStream(b.url);
  await holder.opened();
  holder.send(JSON.stringify({ type: 'hello', name: 'holder', room: 'south' }));
  await holder.next('welcome');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  holder?.socket.close();
  a?.process.kill();
  b?.process.kill();
  await redis?.stop();
});

describe('a page and a cluster of two server processes', () => {
  let zed: GamePage;
  const serverUrl = () => zed.page.evaluate(() => window.netcode.session.net.serverUrl);

  it('follows a link on A to a room on B, and plays there on both channels', async () => {
    zed = await openPage(browser, `${a.url}/?name=zed&room=south`);
    const status = await waitForStatus(
      zed,
      (s) => s.room === 'south' && s.channels.stream.state === 'open' && s.channels.datagram.state === 'open',
      'zed to play in south',
      30_000,
    );
    expect(status.players.map((p) => p.name).sort()).toEqual(['holder', 'zed']);
    expect(await serverUrl()).toBe(b.url);
  });

  it('says the room is gone when B dies, and quick play seats the player on A', async () => {
    b.process.kill();
    const notice = zed.page.locator('#room-gone');
    await notice.waitFor({ state: 'visible', timeout: 30_000 });
    expect(await notice.innerText()).toMatch(/Room south is gone/);
    await zed.page.locator('#room-gone-play').click();
    const status = await waitForStatus(zed, (s) => s.room !== null && s.room !== 'south' && s.channels.stream.state === 'open', 'zed to quick play', 30_000);
    expect(status.name).toBe('zed');
    expect(await serverUrl()).toBe(a.url);
  });
});
