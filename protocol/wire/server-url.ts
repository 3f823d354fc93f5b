// What counts as a game server's address wherever one travels: in a room
// directory entry, a `redirect`, a room list. Only a bare http(s) origin —
// no user name or password, no path, query or fragment — so an entry cannot
// smuggle credentials, a different page, or a script URL, and two spellings
// of one server compare equal once normalised (case, a default port and a
// trailing slash left out). The /ws Origin check reads origins with it too.

/** The normalised origin (`http://host:port`) of `url`, or null if it is not a bare http(s) origin. */
export function serverOrigin(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  if (parsed.username || parsed.password || parsed.search || parsed.hash) return null;
  if (parsed.pathname !== '/' && parsed.pathname !== '') return null;
  // An empty query or fragment (`http://host/?`) leaves no trace in URL's fields: read the text itself.
  if (!/^https?:\/\/[^/?#]+\/?$/i.test(url)) return null;
  return parsed.origin;
}
