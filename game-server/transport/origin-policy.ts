// Which web pages may open the stream (/ws). A browser sends the page's
// origin with every WebSocket handshake and lets any page connect anywhere:
// without this check a third-party page could open sockets from its visitors'
// browsers and spend their addresses' join and socket limits here (issue 10).
// Origin is a browser's defence only: a request without one (bots, tests,
// any non-browser client, which could send any Origin it likes) is allowed.
import { serverOrigin } from '../../protocol/wire/server-url.ts';

/** In --allowed-origins, allows every origin: any page on the web may open the stream. Unsafe. */
export const ANY_ORIGIN = '*';

/** What an upgrade request says about where it comes from. */
export interface UpgradeOrigin {
  /** The Origin header; absent from non-browser clients. */
  origin: string | undefined;
  /** The Host header: where the browser thinks it is connecting. */
  host: string | undefined;
}

export interface OriginAllowList {
  /** Origins allowed besides the page's own (--allowed-origins), as serverOrigin gives them, or ANY_ORIGIN. */
  allowed: readonly string[];
  /** The URLs of the cluster's servers: a page served by one of them may be sent to this one. */
  clusterOrigins: () => Iterable<string>;
}

/**
 * Whether a WebSocket upgrade may proceed: no Origin; an Origin naming the
 * host and port the request was sent to (the page's own, whatever the scheme
 * a proxy in front terminated); one listed in `allowed`; or one of the
 * cluster's servers.
 */
export function originAllowed({ origin, host }: UpgradeOrigin, list: OriginAllowList): boolean {
  if (origin === undefined) return true;
  if (list.allowed.includes(ANY_ORIGIN)) return true;
  const page = serverOrigin(origin);
  if (page === null) return false; // "null" (a sandboxed frame, a file:// page) or junk
  if (host !== undefined && sameHost(page, host)) return true;
  if (list.allowed.includes(page)) return true;
  for (const url of list.clusterOrigins()) {
    if (originOf(url) === page) return true;
  }
  return false;
}

/**
 * Whether the page's host:port is the Host header's. The Host is read with
 * the page's scheme, so a default port written out (`:443` for https) still
 * matches; the scheme itself is not compared, as a TLS proxy in front turns
 * https into http and only a forwarded header (which anyone can send) says so.
 */
function sameHost(page: string, hostHeader: string): boolean {
  const pageUrl = new URL(page);
  try {
    const asked = new URL(`${pageUrl.protocol}//${hostHeader}`);
    return asked.host === pageUrl.host && asked.pathname === '/' && !asked.username && !asked.password;
  } catch {
    return false;
  }
}

/** The origin of a server URL (PUBLIC_URL, a directory entry), or null if it is not an http(s) URL. */
function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}
