// Signaling (/.wrtc/v2) under greedy clients, over raw TCP on loopback, from
// several source addresses (127.0.0.x): the cap on requests in flight for
// everyone, the cap per address, and the deadline for a request's body.
// Issue item 7: 32 one-byte bodies from one address held every slot for 16 s.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../game-server/server.ts';
import {
  DROP_SIGNALING_BODY_TIMEOUT,
  DROP_SIGNALING_BUSY,
  DROP_SIGNALING_PER_ADDRESS,
  HTTP_TIMEOUT_CHECK_INTERVAL_MS,
  MAX_SIGNALING_IN_FLIGHT_PER_ADDRESS,
  MAX_SIGNALING_REQUESTS_IN_FLIGHT,
  SIGNALING_BODY_DEADLINE_MS,
  SIGNALING_RETRY_AFTER_S,
} from '../../protocol/constants.ts';
import { connectClient, eventually, shutDown, startTestServer, type TestClient } from './harness.ts';
import { QUICK_SIGNALING_PATH, rawHttp, requestFrom, slowSignalingStart, SlowSignalingFlood, type RawHttp } from './raw-http.ts';

/** A timer's lateness on a busy machine; generous, not a timing claim. */
const CUT_SLACK_MS = HTTP_TIMEOUT_CHECK_INTERVAL_MS + 1_500;
/** A flood opens a refused or cut request again this soon. */
const REOPEN_DELAY_MS = 200;
/** Bounds every flood: it stops opening requests after this many. */
const MAX_FLOOD_OPENS = 3_000;

let server: RunningServer;
let flood: SlowSignalingFlood | undefined;
const slow: RawHttp[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => {
  flood?.stop();
  flood = undefined;
  for (const raw of slow.splice(0)) raw.socket.destroy();
});
afterAll(() => server.close());

/** Status of a quick signaling request (404: a free slot, no such connection) from `address`. */
async function quickSignaling(address: string): Promise<number> {
  return (await requestFrom(server.port, address, QUICK_SIGNALING_PATH)).status;
}

describe('signaling from one address', () => {
  let carol: TestClient | undefined;
  afterAll(async () => {
    flood?.stop();
    await shutDown(undefined, carol);
  });

  it(`refuses it past ${MAX_SIGNALING_IN_FLIGHT_PER_ADDRESS} in flight (429), while others still signal and a player opens its data channel`, async () => {
    // The attack of the issue: every slot's worth of one-byte bodies from
    // one address, each opened again once refused or cut.
    flood = new SlowSignalingFlood(server.port, ['127.0.0.2'], MAX_SIGNALING_REQUESTS_IN_FLIGHT, REOPEN_DELAY_MS, MAX_FLOOD_OPENS);
    await eventually(() => expect(flood!.answered('HTTP/1.1 429 ').length).toBeGreaterThan(0));
    const tooMany = flood.answered('HTTP/1.1 429 ')[0];
    expect(tooMany).toMatch(new RegExp(`\r\nretry-after: ${SIGNALING_RETRY_AFTER_S}(\r\n|$)`, 'i'));
    expect(tooMany).toMatch(/\r\nconnection: close(\r\n|$)/i); // a refused socket holds nothing
    expect(await server.metrics.dropCount('datagram', 'in', DROP_SIGNALING_PER_ADDRESS)).toBeGreaterThan(0);

    // Everyone else: another address is answered, and a real player (from
    // 127.0.0.1) signals and opens its data channel while the flood goes on.
    expect(await quickSignaling('127.0.0.3')).toBe(404);
    carol = await connectClient(server.url, 'carol');
    expect(carol.net.datagramState).toBe('open');
    expect(flood.sockets.size).toBeGreaterThan(0); // still flooding
    expect(await server.metrics.dropCount('datagram', 'in', DROP_SIGNALING_BUSY)).toBe(0);
  });
});

describe('a signaling body', () => {
  it(`is answered 408 and cut when not complete ${SIGNALING_BODY_DEADLINE_MS} ms after its headers, and its slot is free again`, async () => {
    const before = await server.metrics.dropCount('datagram', 'in', DROP_SIGNALING_BODY_TIMEOUT);
    // As many as the address may have: a slot not given back would refuse the next one with 429.
    for (let i = 0; i < MAX_SIGNALING_IN_FLIGHT_PER_ADDRESS; i += 1) slow.push(rawHttp(server.port, slowSignalingStart, '127.0.0.4'));
    const closedMs = await Promise.all(slow.map((raw) => raw.closed(SIGNALING_BODY_DEADLINE_MS + CUT_SLACK_MS)));

    for (const ms of closedMs) expect(ms).toBeGreaterThanOrEqual(SIGNALING_BODY_DEADLINE_MS - 50);
    for (const raw of slow) expect(raw.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(await server.metrics.dropCount('datagram', 'in', DROP_SIGNALING_BODY_TIMEOUT)).toBe(before + MAX_SIGNALING_IN_FLIGHT_PER_ADDRESS);
    expect(await quickSignaling('127.0.0.4')).toBe(404);
  });
});

describe('signaling requests in flight', () => {
  it(`answers 503 with Retry-After beyond ${MAX_SIGNALING_REQUESTS_IN_FLIGHT} from many addresses, counts it, and frees the slots`, async () => {
    expect(await quickSignaling('127.0.0.1')).toBe(404);
    // Enough addresses, each at its own cap, to take every slot and more.
    const addresses = Array.from(
      { length: Math.ceil(MAX_SIGNALING_REQUESTS_IN_FLIGHT / MAX_SIGNALING_IN_FLIGHT_PER_ADDRESS) + 1 },
      (_, i) => `127.0.0.${10 + i}`,
    );
    flood = new SlowSignalingFlood(server.port, addresses, MAX_SIGNALING_IN_FLIGHT_PER_ADDRESS, REOPEN_DELAY_MS, MAX_FLOOD_OPENS);

    let busy: { status: number; headers: Record<string, unknown> } | undefined;
    await eventually(async () => {
      busy = await requestFrom(server.port, '127.0.0.1', QUICK_SIGNALING_PATH);
      expect(busy.status).toBe(503);
    });
    expect(busy?.headers['retry-after']).toBe(String(SIGNALING_RETRY_AFTER_S));
    expect(busy?.headers.connection).toBe('close');
    expect(await server.metrics.dropCount('datagram', 'in', DROP_SIGNALING_BUSY)).toBeGreaterThanOrEqual(1);
    // Other routes are not capped.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    // Once the flood stops, every slot comes back.
    flood.stop();
    await eventually(async () => expect(await quickSignaling('127.0.0.1')).toBe(404));
  });
});
