// The connection ids clients see are ours, not geckos'.
//
// Why: geckos.io/server 3.1 names each WebRTC connection with
// `makeRandomId(24)` (Math.random, @geckos.io/common), and that id is the
// only credential its routes ask for: `POST /.wrtc/v2/connections/<id>/close`
// closes anyone's data channel. Math.random is not a secret, and the id was
// logged at info level. We cannot change geckos, so the signaling path
// translates: geckos' answer to `POST /connections` carries an alias of
// CONNECTION_ALIAS_BYTES from node:crypto in place of its id, and a later
// request naming an alias reaches geckos with the real id. A request naming
// anything else, geckos' own ids included, gets a 404 and reaches no
// connection.
//
// The id appears nowhere else a client sees: not in userData (ours: room and
// player), nor the data channel's label ("geckos.io"), nor the SDP. The
// geckos client only echoes the id into these same URLs, so the alias works
// end to end. An alias is forgotten once geckos no longer holds its
// connection (closed, failed, or abandoned after DATAGRAM_OPEN_TIMEOUT_MS;
// the geckos adapter sweeps every heartbeat), so the map holds at most one alias
// for each connection geckos held in the last second.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONNECTION_ALIAS_BYTES } from '../../../protocol/constants.ts';
import { requestPath } from '../../http/request-path.ts';

const PREFIX = '/.wrtc/v2';
/** geckos' routes that name a connection, with the method each answers. */
const CONNECTION_ROUTES = new Map([
  ['remote-description', 'POST'],
  ['additional-candidates', 'GET'],
  ['close', 'POST'],
]);
/** A path none of geckos' routes matches: it answers 404. */
const NOT_FOUND_PATH = `${PREFIX}/not-found`;
/** `${PREFIX}/connections/<id>/<route>` */
const CONNECTION_PATH = /^\/\.wrtc\/v2\/connections\/([^/]+)\/([a-z-]+)$/;

/** Whether geckos still holds the connection with this (real) id. */
export type IsOpen = (realId: string) => boolean;

export class ConnectionAliases {
  private readonly realIds = new Map<string, string>();

  /** A fresh alias for geckos' connection `realId`. */
  add(realId: string): string {
    let alias: string;
    do alias = randomBytes(CONNECTION_ALIAS_BYTES).toString('base64url');
    while (this.realIds.has(alias));
    this.realIds.set(alias, realId);
    return alias;
  }

  /** geckos' id behind `alias`, while geckos holds that connection. */
  resolve(alias: string, isOpen: IsOpen): string | undefined {
    const realId = this.realIds.get(alias);
    if (realId === undefined || isOpen(realId)) return realId;
    this.realIds.delete(alias);
    return undefined;
  }

  /** Forgets every alias whose connection geckos no longer holds. */
  forgetClosed(isOpen: IsOpen): void {
    for (const [alias, realId] of this.realIds) if (!isOpen(realId)) this.realIds.delete(alias);
  }

  clear(): void {
    this.realIds.clear();
  }

  /** Aliases remembered now. */
  get size(): number {
    return this.realIds.size;
  }
}

/** What a signaling request asks for, for logs: the route, never an id. */
export function signalingRouteName(url: string | undefined): string {
  const path = new URL(url ?? '/', 'http://localhost').pathname;
  if (path === `${PREFIX}/connections`) return 'connections';
  const route = CONNECTION_PATH.exec(path)?.[2];
  return route && CONNECTION_ROUTES.has(route) ? route : 'other';
}

/**
 * Puts the alias layer between a signaling request and geckos' routes: it
 * rewrites `request.url` (alias to real id) and, for a new connection,
 * `response` (real id to a new alias).
 *
 * A request naming no alias we hold (geckos' own ids included) still goes to
 * geckos, but at a path that names no connection: geckos answers 404, with
 * its CORS headers like every other signaling answer, and looks nothing up.
 * It is not counted as a drop: honest clients send them too, a candidate
 * poll or a close after their connection ended (40 bots sent 40).
 *
 * Returns geckos' id of the connection the request names, if it names one we hold.
 */
export function translateSignaling(
  request: IncomingMessage,
  response: ServerResponse,
  aliases: ConnectionAliases,
  isOpen: IsOpen,
  /** Told geckos' id of a connection it just created (the adapter names it for connection events). */
  created: (realId: string) => void = () => {},
): string | undefined {
  // A CORS preflight: geckos answers 200 to any path and looks nothing up.
  if (request.method === 'OPTIONS') return undefined;
  const path = requestPath(request.url) ?? '';
  if (path === `${PREFIX}/connections` && request.method === 'POST') {
    request.url = path;
    answerWithAlias(response, aliases, created);
    return undefined;
  }
  // Only the exact routes pass: geckos' own patterns are unanchored and find
  // an id anywhere in the URL.
  const [, alias, route] = CONNECTION_PATH.exec(path) ?? [];
  const realId = alias && route && CONNECTION_ROUTES.get(route) === request.method ? aliases.resolve(alias, isOpen) : undefined;
  request.url = realId === undefined ? NOT_FOUND_PATH : `${PREFIX}/connections/${realId}/${route}`;
  return realId;
}

/**
 * geckos answers `POST /connections` with `sendJSON` (one `end` of a JSON
 * string, status 200): swap the id in it for a new alias. A 200 whose id we
 * cannot find becomes a 500, so geckos' id can never slip through.
 */
function answerWithAlias(response: ServerResponse, aliases: ConnectionAliases, created: (realId: string) => void) {
  const end = response.end.bind(response) as (chunk?: unknown, ...rest: unknown[]) => ServerResponse;
  response.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (response.statusCode !== 200) return end(chunk, ...rest);
    const answer = parseObject(chunk);
    if (typeof answer?.id !== 'string') {
      response.statusCode = 500;
      return end('500: Internal Server Error', ...rest);
    }
    created(answer.id);
    return end(JSON.stringify({ ...answer, id: aliases.add(answer.id) }), ...rest);
  }) as ServerResponse['end'];
}

function parseObject(chunk: unknown): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString() : '');
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
