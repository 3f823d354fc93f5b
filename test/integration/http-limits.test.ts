// The HTTP front under slow clients, over raw TCP on loopback: a socket that
// sends nothing, half a header or half a body is cut at its deadline (the
// real ones from constants.ts), and a ws stream is not. Signaling's own
// limits (in flight, per address, its body deadline) are in
// signaling-limits.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../game-server/server.ts';
import {
  HTTP_HEADERS_TIMEOUT_MS,
  HTTP_KEEP_ALIVE_TIMEOUT_MS,
  HTTP_REQUEST_TIMEOUT_MS,
  HTTP_TIMEOUT_CHECK_INTERVAL_MS,
  SIGNALING_BODY_DEADLINE_MS,
} from '../../protocol/constants.ts';
import { connectClient, shutDown, startTestServer, type TestClient } from './harness.ts';
import { rawHttp, slowSignalingStart } from './raw-http.ts';

/** Node answers 408 and cuts a late request within one check interval of its deadline. */
const CUT_SLACK_MS = HTTP_TIMEOUT_CHECK_INTERVAL_MS + 1_500;
/** Node waits a further second past keepAliveTimeout before it closes an idle socket. */
const KEEP_ALIVE_SLACK_MS = 1_000 + 1_500;
describe('HTTP deadlines (the real values)', () => {
  let server: RunningServer;
  let alice: TestClient;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => shutDown(server, alice));

  it(
    'cuts sockets that send nothing, half a header or half a body, and idle keep-alives; keeps a ws stream',
    async () => {
      alice = await connectClient(server.url, 'alice', { useDatagram: false });
      const silent = rawHttp(server.port);
      const halfHeader = rawHttp(server.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
      // Signaling is the one route that reads a body, and it cuts a slow one at
      // its own, shorter deadline (a route that answers without reading leaves
      // the socket to the keep-alive deadline instead).
      const halfBody = rawHttp(server.port, slowSignalingStart);
      const keepAlive = rawHttp(server.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');

      const [silentMs, halfHeaderMs, halfBodyMs, keepAliveMs] = await Promise.all([
        silent.closed(HTTP_HEADERS_TIMEOUT_MS + CUT_SLACK_MS),
        halfHeader.closed(HTTP_HEADERS_TIMEOUT_MS + CUT_SLACK_MS),
        halfBody.closed(SIGNALING_BODY_DEADLINE_MS + CUT_SLACK_MS),
        keepAlive.closed(HTTP_KEEP_ALIVE_TIMEOUT_MS + KEEP_ALIVE_SLACK_MS),
      ]);

      // Cut at the deadline, not before: a slow but honest client gets its full time.
      expect(silentMs).toBeGreaterThanOrEqual(HTTP_HEADERS_TIMEOUT_MS - 50);
      expect(halfHeaderMs).toBeGreaterThanOrEqual(HTTP_HEADERS_TIMEOUT_MS - 50);
      expect(halfBodyMs).toBeGreaterThanOrEqual(SIGNALING_BODY_DEADLINE_MS - 50);
      expect(keepAliveMs).toBeGreaterThanOrEqual(HTTP_KEEP_ALIVE_TIMEOUT_MS - 50);
      for (const cut of [silent, halfHeader, halfBody]) expect(cut.received()).toMatch(/^HTTP\/1\.1 408 /);
      expect(keepAlive.received()).toMatch(/^HTTP\/1\.1 200 /);

      // The upgraded ws socket left Node's request tracking: after every deadline
      // above it is still open, on its first connection (a reconnect would bring a second welcome).
      expect(alice.net.streamState).toBe('open');
      expect(alice.welcomes).toHaveLength(1);
      expect(server.streamConnections()).toBe(1);

      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
    },
    HTTP_REQUEST_TIMEOUT_MS + CUT_SLACK_MS + 10_000,
  );
});
