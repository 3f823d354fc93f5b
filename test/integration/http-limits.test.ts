// The HTTP front under slow or greedy clients, over raw TCP on loopback: a
// socket that sends nothing, half a header or half a body is cut at its
// deadline (the real ones from constants.ts), a ws stream is not, and
// signaling requests beyond the cap are refused with 503.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../game-server/server.ts';
import {
  DROP_SIGNALING_BUSY,
  HTTP_HEADERS_TIMEOUT_MS,
  HTTP_KEEP_ALIVE_TIMEOUT_MS,
  HTTP_REQUEST_TIMEOUT_MS,
  HTTP_TIMEOUT_CHECK_INTERVAL_MS,
  MAX_SIGNALING_REQUESTS_IN_FLIGHT,
  SIGNALING_RETRY_AFTER_S,
} from '../../protocol/constants.ts';
import { connectClient, eventually, shutDown, startTestServer, type TestClient } from './harness.ts';

/** Node answers 408 and cuts a late request within one check interval of its deadline. */
const CUT_SLACK_MS = HTTP_TIMEOUT_CHECK_INTERVAL_MS + 1_500;
/** Node waits a further second past keepAliveTimeout before it closes an idle socket. */
const KEEP_ALIVE_SLACK_MS = 1_000 + 1_500;
/** A path geckos reads a body for before it looks the (unknown) connection up. */
const SLOW_SIGNALING_PATH = '/.wrtc/v2/connections/abcdefghijklmnopqrstuvwx/remote-description';
/** A signaling path answered at once (404: no such connection) when a slot is free. */
const QUICK_SIGNALING_PATH = '/.wrtc/v2/connections/abcdefghijklmnopqrstuvwx/additional-candidates';

const SLOW_BODY_BYTES = 100;
const SLOW_BODY_START = '{"sdp":';
/** Headers and the first few bytes of a signaling body that says it is SLOW_BODY_BYTES long. */
const slowSignalingStart =
  `POST ${SLOW_SIGNALING_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
  `Content-Length: ${SLOW_BODY_BYTES}\r\n\r\n${SLOW_BODY_START}`;

interface RawHttp {
  socket: Socket;
  received(): string;
  /** Resolves with ms from connect to close; rejects if the server keeps the socket past `withinMs`. */
  closed(withinMs: number): Promise<number>;
}

/** Opens a raw TCP socket to the server and writes `bytes` (if any) once connected. */
function rawHttp(port: number, bytes?: string): RawHttp {
  const openedAt = Date.now();
  const socket = connect(port, '127.0.0.1', () => {
    if (bytes) socket.write(bytes);
  });
  socket.on('error', () => {});
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString('latin1')));
  const closedAt = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - openedAt)));
  return {
    socket,
    received: () => text,
    closed(withinMs) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`socket still open after ${withinMs} ms`)), withinMs);
      });
      return Promise.race([closedAt, deadline]).finally(() => clearTimeout(timer));
    },
  };
}

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
      // Signaling is the one route that reads a body (a route that answers without
      // reading leaves the socket to the keep-alive deadline instead).
      const halfBody = rawHttp(server.port, slowSignalingStart);
      const keepAlive = rawHttp(server.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');

      const [silentMs, halfHeaderMs, halfBodyMs, keepAliveMs] = await Promise.all([
        silent.closed(HTTP_HEADERS_TIMEOUT_MS + CUT_SLACK_MS),
        halfHeader.closed(HTTP_HEADERS_TIMEOUT_MS + CUT_SLACK_MS),
        halfBody.closed(HTTP_REQUEST_TIMEOUT_MS + CUT_SLACK_MS),
        keepAlive.closed(HTTP_KEEP_ALIVE_TIMEOUT_MS + KEEP_ALIVE_SLACK_MS),
      ]);

      // Cut at the deadline, not before: a slow but honest client gets its full time.
      expect(silentMs).toBeGreaterThanOrEqual(HTTP_HEADERS_TIMEOUT_MS - 50);
      expect(halfHeaderMs).toBeGreaterThanOrEqual(HTTP_HEADERS_TIMEOUT_MS - 50);
      expect(halfBodyMs).toBeGreaterThanOrEqual(HTTP_REQUEST_TIMEOUT_MS - 50);
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

describe('signaling requests in flight', () => {
  let server: RunningServer;
  const slow: RawHttp[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    // Finish the bodies (geckos answers 500 to the padded JSON) rather than cut
    // them: geckos logs a bare "error" for every aborted body it was reading.
    for (const raw of slow) raw.socket.write(' '.repeat(SLOW_BODY_BYTES - SLOW_BODY_START.length));
    await eventually(() => expect(slow.every((raw) => raw.received().startsWith('HTTP/1.1 500 '))).toBe(true));
    for (const raw of slow) raw.socket.destroy();
    await server.close();
  });

  const quickSignaling = () => fetch(`${server.url}${QUICK_SIGNALING_PATH}`);

  it(`answers 503 with Retry-After beyond ${MAX_SIGNALING_REQUESTS_IN_FLIGHT}, counts it, and frees a slot when a request ends`, async () => {
    expect((await quickSignaling()).status).toBe(404);
    for (let i = 0; i < MAX_SIGNALING_REQUESTS_IN_FLIGHT; i += 1) {
      slow.push(rawHttp(server.port, slowSignalingStart));
    }

    // The slow bodies reach the server in their own time: poll until every slot is taken.
    let busy: Response | undefined;
    await eventually(async () => {
      busy = await quickSignaling();
      expect(busy.status).toBe(503);
    });
    expect(busy?.headers.get('retry-after')).toBe(String(SIGNALING_RETRY_AFTER_S));
    expect(await server.metrics.dropCount('datagram', 'in', DROP_SIGNALING_BUSY)).toBeGreaterThanOrEqual(1);

    // One more slow POST is refused at once and its socket closed: it holds nothing.
    const extra = rawHttp(server.port, slowSignalingStart);
    await extra.closed(5_000);
    expect(extra.received()).toMatch(/^HTTP\/1\.1 503 /);

    // Other routes are not capped.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    // A client that gives up frees its slot.
    slow.pop()?.socket.destroy();
    await eventually(async () => expect((await quickSignaling()).status).toBe(404));
    expect((await quickSignaling()).status).toBe(404);
  });
});
