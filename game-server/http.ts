// The HTTP front on the game's port: the built client (static files),
// /healthz, /metrics, and geckos' WebRTC signaling under /.wrtc/v2, which is
// size-checked here before geckos reads it. The ws upgrade is handled by the
// stream gateway on the same server.
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';
import { MAX_SIGNALING_BODY_BYTES } from '../protocol/constants.ts';
import { rewriteHostCandidates } from './ice-candidates.ts';

export interface HttpRoutes {
  health(): object;
  metrics(): Promise<{ contentType: string; text: string }>;
  signaling(request: IncomingMessage, response: ServerResponse): void;
  /** Folder of the built client; when missing, `/` explains how to build it. */
  staticDir: string;
  publicIp?: string;
}

const SIGNALING_PREFIX = '/.wrtc/v2/';

export function createRequestHandler(routes: HttpRoutes) {
  const serveStatic = existsSync(routes.staticDir)
    ? sirv(routes.staticDir, { single: true, etag: true, gzip: false })
    : null;

  return (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path.startsWith(SIGNALING_PREFIX)) return signaling(request, response);
    if (path === '/healthz') return sendJson(response, 200, routes.health());
    if (path === '/metrics') {
      routes.metrics().then(
        ({ contentType, text }) => response.writeHead(200, { 'content-type': contentType }).end(text),
        () => response.writeHead(500).end('metrics unavailable\n'),
      );
      return;
    }
    if (serveStatic) return serveStatic(request, response, () => void response.writeHead(404).end('not found\n'));
    response
      .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      .end('The client is not built. Run `npm start` (it builds first) or `npm run dev`.\n');
  };

  function signaling(request: IncomingMessage, response: ServerResponse) {
    if (request.method === 'POST') {
      // geckos buffers a request body with no limit: refuse unknown or large sizes before it reads.
      const length = Number(request.headers['content-length'] ?? NaN);
      if (!Number.isFinite(length)) return void response.writeHead(411).end('length required\n');
      if (length > MAX_SIGNALING_BODY_BYTES) return void response.writeHead(413).end('body too large\n');
    }
    if (routes.publicIp) advertisePublicIp(response, routes.publicIp);
    routes.signaling(request, response);
  }
}

/** Rewrites host candidates in whatever geckos writes back (SDP offer, extra candidates). */
function advertisePublicIp(response: ServerResponse, publicIp: string) {
  const end = response.end.bind(response) as (chunk?: unknown, ...rest: unknown[]) => ServerResponse;
  response.end = ((chunk?: unknown, ...rest: unknown[]) =>
    end(typeof chunk === 'string' ? rewriteHostCandidates(chunk, publicIp) : chunk, ...rest)) as ServerResponse['end'];
}

function sendJson(response: ServerResponse, status: number, body: object) {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
