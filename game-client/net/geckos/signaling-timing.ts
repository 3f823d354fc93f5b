// geckos signals over HTTP: POST /connections (the server's offer; our token
// is checked there), POST /connections/:id/remote-description (our answer),
// and GET /connections/:id/additional-candidates, polled for about 10 s.
// Resource Timing measures each request on the page's clock (and in Node,
// whose fetch reports it too), with the server's own durations where it
// sends Server-Timing and the browser shows them. This watches one
// connection's requests and reports them for the connection timeline.
import { SIGNALING_WATCH_MS } from '../../../protocol/constants.ts';
import type { ConnectionEvents, SignalingRequest } from '../connection-events.ts';

/** What a browser's entry has beyond Node's (responseStatus: Chrome ≥ 109; serverTiming: browsers only). */
type ResourceEntry = PerformanceResourceTiming & { responseStatus?: number; serverTiming?: readonly PerformanceServerTiming[] };

export interface SignalingWatch {
  /** geckos' id for the connection, known once the offer is in: its later requests carry it. */
  connectionId: string | undefined;
  /** The connection ended at `atMs`: requests begun later are not its own (the watch lingers a little for entries still to be delivered). */
  stop(atMs: number): void;
}

/** Resource Timing delivers entries in batches, after the fetch has resolved: how long a stopped watch still listens. */
const DELIVERY_GRACE_MS = 2_000;

/**
 * Watches Resource Timing for the requests under `signalingUrl` (geckos'
 * `…/.wrtc/v2`) made from `sinceMs` on. The offer's URL has no id, so among
 * several connections signaling at once (the bots) an offer is taken as this
 * connection's only if it started after this one began.
 */
export function watchSignaling(signalingUrl: string, sinceMs: number, events: ConnectionEvents): SignalingWatch {
  const watch: SignalingWatch = { connectionId: undefined, stop: () => {} };
  const report = events.request?.bind(events);
  if (!report || typeof PerformanceObserver === 'undefined' || !PerformanceObserver.supportedEntryTypes?.includes('resource')) return watch;
  const base = `${signalingUrl}/connections`;
  let offerSeen = false;
  let endedAtMs = Infinity;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as ResourceEntry[]) {
      if (!entry.name.startsWith(base) || entry.startTime < sinceMs || entry.startTime > endedAtMs) continue;
      const kind = requestKind(entry.name.slice(base.length), watch.connectionId);
      if (!kind || (kind === 'offer' && offerSeen)) continue;
      if (kind === 'offer') offerSeen = true;
      report(measured(kind, entry));
    }
  });
  observer.observe({ type: 'resource' });
  let deadline = setTimeout(() => observer.disconnect(), SIGNALING_WATCH_MS);
  watch.stop = (atMs) => {
    if (endedAtMs !== Infinity) return;
    endedAtMs = atMs;
    clearTimeout(deadline);
    deadline = setTimeout(() => observer.disconnect(), DELIVERY_GRACE_MS);
  };
  return watch;
}

function requestKind(path: string, id: string | undefined): SignalingRequest['request'] | null {
  if (path === '' || path === '/') return 'offer';
  if (id === undefined || !path.startsWith(`/${id}/`)) return null;
  if (path.endsWith('/remote-description')) return 'answer';
  if (path.endsWith('/additional-candidates')) return 'candidates';
  return null;
}

function measured(request: SignalingRequest['request'], entry: ResourceEntry): SignalingRequest {
  return {
    request,
    startMs: entry.startTime,
    endMs: entry.responseEnd,
    status: entry.responseStatus || null,
    connectMs: Math.max(0, entry.connectEnd - entry.connectStart),
    waitMs: Math.max(0, entry.responseStart - entry.requestStart),
    serverTiming: (entry.serverTiming ?? []).map((t) => ({ name: t.name, durationMs: t.duration, description: t.description })),
  };
}
