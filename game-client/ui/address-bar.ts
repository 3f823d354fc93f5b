// The address bar mirrors what makes this page's game, so the link in it can
// be reloaded or shared: the room once joined (`?room=`), the name when it
// came from a link (`?name=`), and the settings that differ from the defaults
// (the network panel). Written with replaceState: no reload, no new history
// entry per change.

/** Parameters that are not settings: kept when the settings are rewritten. */
const PLACE_PARAMS = ['room', 'name'] as const;
type PlaceParam = (typeof PLACE_PARAMS)[number];

/** Sets one of `room` and `name` in the address bar, or removes it (null). */
export function setAddressParam(key: PlaceParam, value: string | null): void {
  const query = new URLSearchParams(location.search);
  if (value === null) query.delete(key);
  else query.set(key, value);
  replaceQuery(query);
}

/** Writes `settings` (a query of the settings that differ from the defaults), keeping the room and the name. */
export function mirrorSettings(settings: URLSearchParams): void {
  const current = new URLSearchParams(location.search);
  const query = new URLSearchParams();
  for (const key of PLACE_PARAMS) {
    const value = current.get(key);
    if (value) query.set(key, value);
  }
  for (const [key, value] of settings) query.set(key, value);
  replaceQuery(query);
}

/** The link that brings a friend into `room`: the room alone, not our name or our simulated network. */
export function roomLink(room: string): string {
  return `${location.origin}${location.pathname}?${new URLSearchParams({ room })}`;
}

function replaceQuery(query: URLSearchParams) {
  const search = query.toString();
  history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}${location.hash}`);
}
