// The HTTP front on the game's port: the built client (static-files.ts), a
// bare /healthz, /rooms, and geckos' WebRTC signaling under /.wrtc/v2, which is
// size-checked, capped in number (in all and per address) and read within
// its own deadline here before geckos sees it. The ws
// upgrade is handled by the stream gateway on the same server. /metrics and
// the detailed /healthz are on the ops listener instead (ops-http.ts). Every
// socket has a deadline for its request (see httpServerOptions).
import type { IncomingMessage, ServerOptions, ServerResponse } from 'node:http';
import {
  DROP_SIGNALING_BODY_TIMEOUT,
  DROP_SIGNALING_BUSY,
  DROP_SIGNALING_PER_ADDRESS,
  HEALTH_PATH,
  HTTP_HEADERS_TIMEOUT_MS,
  HTTP_KEEP_ALIVE_TIMEOUT_MS,
  HTTP_REQUEST_TIMEOUT_MS,
  HTTP_TIMEOUT_CHECK_INTERVAL_MS,
  MAX_SIGNALING_BODY_BYTES,
  MAX_SIGNALING_IN_FLIGHT_PER_ADDRESS,
  MAX_SIGNALING_REQUESTS_IN_FLIGHT,
  METRICS_PATH,
  ROOMS_PATH,
  SIGNALING_BODY_DEADLINE_MS,
  SIGNALING_RETRY_AFTER_S,
} from '../../protocol/constants.ts';
import { rewriteHostCandidates } from '../transport/ice-candidates.ts';
import { InFlightPerAddress } from '../limits/in-flight-per-address.ts';
import { readBodyWithin } from './signaling-body.ts';
import { createStaticHandler } from './static-files.ts';
import { requestPath } from './request-path.ts';
import { addressKey } from '../limits/address-key.ts';

/** How long a client may take over a request; tests may shorten them. */
export interface HttpTimeouts {
  headersMs: number;
  requestMs: number;
  keepAliveMs: number;
  checkIntervalMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersMs: HTTP_HEADERS_TIMEOUT_MS,
  requestMs: HTTP_REQUEST_TIMEOUT_MS,
  keepAliveMs: HTTP_KEEP_ALIVE_TIMEOUT_MS,
  checkIntervalMs: HTTP_TIMEOUT_CHECK_INTERVAL_MS,
};

/**
 * Options for `createServer`: a socket that sends nothing, half its headers or
 * half its body is closed once past its deadline (Node answers 408 and cuts
 * it), instead of holding a file descriptor for Node's default five minutes.
 * A ws socket leaves this tracking when it is upgraded.
 */
export function httpServerOptions(timeouts: HttpTimeouts): ServerOptions {
  return {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    connectionsCheckingInterval: timeouts.checkIntervalMs,
  };
}

export interface HttpRoutes {
  /** The room list the join screen shows (GET /rooms). */
  rooms(): Promise<object>;
  signaling(request: IncomingMessage, response: ServerResponse): void;
  /** Counts a request refused before its handler ran, by reason (a DROP_* code). */
  refused(reason: string): void;
  /** Folder of the built client; when missing, `/` explains how to build it. */
  staticDir: string;
  publicIp?: string;
}

const SIGNALING_PREFIX = '/.wrtc/v2/';

export function createRequestHandler(routes: HttpRoutes) {
  const serveStatic = createStaticHandler(routes.staticDir);
  /** Signaling requests answered or still being answered; each response's 'close' gives its slot back. */
  let signalingInFlight = 0;
  /** The same, by remote address: one address may hold only a few of the slots everyone shares. */
  const signalingPerAddress = new InFlightPerAddress(MAX_SIGNALING_IN_FLIGHT_PER_ADDRESS);

  return (request: IncomingMessage, response: ServerResponse) => {
    const path = requestPath(request.url);
    if (path === null) return void response.writeHead(400, { connection: 'close' }).end('bad request target\n');
    if (path.startsWith(SIGNALING_PREFIX)) return signaling(request, response);
    // A liveness probe for load balancers and `npm run dev`: it says nothing about the process (that is the ops listener's).
    if (path === HEALTH_PATH) return sendJson(response, 200, { status: 'ok' });
    if (path === METRICS_PATH) return void response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    if (path === ROOMS_PATH) {
      routes
        .rooms()
        .then(
          (rooms) => sendJson(response, 200, rooms),
          () => response.writeHead(500).end('rooms unavailable\n'),
        )
        .catch(() => response.destroy()); // the client left while we wrote: nothing to answer
      return;
    }
    serveStatic(request, response);
  };

  function signaling(request: IncomingMessage, response: ServerResponse) {
    if (request.method === 'POST') {
      // geckos buffers a request body with no limit: refuse unknown or large sizes before it reads.
      const length = Number(request.headers['content-length'] ?? NaN);
      if (!Number.isFinite(length)) return void response.writeHead(411).end('length required\n');
      if (length > MAX_SIGNALING_BODY_BYTES) return void response.writeHead(413).end('body too large\n');
    }
    // Each request may hold a native peer connection or a half-read body: past
    // either cap, refuse at once (and close the socket) rather than queue.
    const address = addressKey(request.socket.remoteAddress);
    if (!signalingPerAddress.tryEnter(address)) return refuse(DROP_SIGNALING_PER_ADDRESS, 429, 'too many signaling requests from your address\n');
    if (signalingInFlight >= MAX_SIGNALING_REQUESTS_IN_FLIGHT) {
      signalingPerAddress.leave(address);
      return refuse(DROP_SIGNALING_BUSY, 503, 'signaling busy, retry shortly\n');
    }
    signalingInFlight += 1;
    // 'close' follows both a finished response and a connection cut mid-request (a timeout).
    response.once('close', () => {
      signalingInFlight -= 1;
      signalingPerAddress.leave(address);
    });
    if (routes.publicIp) advertisePublicIp(response, routes.publicIp);
    // geckos reads bodies with no deadline: it gets the request once the body is complete (signaling-body.ts).
    void readBodyWithin(request, MAX_SIGNALING_BODY_BYTES, SIGNALING_BODY_DEADLINE_MS)
      .then((body) => {
        if (body.ok) return routes.signaling(body.value, response);
        if (body.error === 'aborted' || response.destroyed) return; // the client is gone; its 'close' freed the slot
        if (body.error === 'timeout') routes.refused(DROP_SIGNALING_BODY_TIMEOUT);
        const [status, text] = body.error === 'timeout' ? [408, 'signaling body too slow\n'] : [413, 'body too large\n'];
        // The socket still has the rest of the body coming: cut it once the answer is out.
        response.writeHead(status, { connection: 'close' }).end(text, () => request.socket?.destroy());
      })
      .catch(() => response.destroy()); // geckos threw, or the answer could not go out: this request ends, nothing else

    function refuse(reason: string, status: number, text: string) {
      routes.refused(reason);
      response.writeHead(status, { 'retry-after': String(SIGNALING_RETRY_AFTER_S), connection: 'close' }).end(text);
    }
  }
}

/** Rewrites host candidates in whatever geckos writes back (SDP offer, extra candidates). */
function advertisePublicIp(response: ServerResponse, publicIp: string) {
  const end = response.end.bind(response) as (chunk?: unknown, ...rest: unknown[]) => ServerResponse;
  response.end = ((chunk?: unknown, ...rest: unknown[]) =>
    end(typeof chunk === 'string' ? rewriteHostCandidates(chunk, publicIp) : chunk, ...rest)) as ServerResponse['end'];
}

/** Answers `body` as JSON, never cached. */
export function sendJson(response: ServerResponse, status: number, body: object) {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
