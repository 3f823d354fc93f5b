// Which pages may open the stream, over real ws sockets on loopback: a client
// without an Origin (not a browser), the page's own origin, an origin on
// --allowed-origins and the server's PUBLIC_URL are let in; any other page's
// origin is answered 403 before the WebSocket handshake, and counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../../game-server/server.ts';
import { DROP_ORIGIN_NOT_ALLOWED, STREAM_PATH } from '../../protocol/constants.ts';
import { startTestServer } from './harness.ts';

const ALLOWED = 'https://play.example.com';
const PUBLIC_URL = 'https://game-1.example.com:8443';
const OPEN_TIMEOUT_MS = 5_000;

/** Opens a ws socket to `server` sending `origin` (none if undefined): 'open', or the HTTP status it was refused with. */
function tryOpen(server: RunningServer, origin?: string): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(server.url.replace(/^http/, 'ws') + STREAM_PATH, origin === undefined ? {} : { origin });
    const timer = setTimeout(() => reject(new Error(`no answer to an upgrade from ${origin} within ${OPEN_TIMEOUT_MS} ms`)), OPEN_TIMEOUT_MS);
    socket.on('error', () => {});
    socket.once('open', () => {
      clearTimeout(timer);
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_request, response) => {
      clearTimeout(timer);
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
  });
}

describe("the stream's origin allow-list", () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startTestServer(['--allowed-origins', ALLOWED, '--public-url', PUBLIC_URL]);
  });
  afterAll(() => server.close());

  const refusals = () => server.metrics.dropCount('stream', 'in', DROP_ORIGIN_NOT_ALLOWED);

  it('lets in a client that sends no Origin (a bot, not a browser)', async () => {
    expect(await tryOpen(server)).toBe('open');
  });

  it("lets in the page's own origin", async () => {
    expect(await tryOpen(server, server.url)).toBe('open');
  });

  it("lets in an origin from --allowed-origins, and a page of the cluster's servers (PUBLIC_URL)", async () => {
    expect(await tryOpen(server, ALLOWED)).toBe('open');
    expect(await tryOpen(server, PUBLIC_URL)).toBe('open');
  });

  it("answers 403 to another page's origin before the handshake, and counts it", async () => {
    const before = await refusals();
    expect(await tryOpen(server, 'https://evil.example')).toBe(403);
    // The same host on another port is another origin.
    expect(await tryOpen(server, server.url.replace(/:\d+$/, ':1'))).toBe(403);
    expect(await tryOpen(server, 'null')).toBe(403);
    expect(await refusals()).toBe(before + 3);
    // Refusals hold nothing: the page's own origin still gets in.
    expect(await tryOpen(server, server.url)).toBe('open');
  });
});

describe('--allowed-origins *', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startTestServer(['--allowed-origins', '*']);
  });
  afterAll(() => server.close());

  it('lets in any page (unsafe, documented)', async () => {
    expect(await tryOpen(server, 'https://evil.example')).toBe('open');
  });
});
