// The server's own time for each signaling request, told two ways: a
// `Server-Timing` header on the answer (the page reads it from the request's
// PerformanceResourceTiming.serverTiming; same origin, so no
// Timing-Allow-Origin), and the moment the answer's head was written, for the
// connection timeline. geckos writes its answers itself (status, setHeader,
// end), so the header is added where Node writes the head: `writeHead`,
// which `end` calls for an answer whose head was implicit. Measured from the
// moment the adapter got the request, its (capped) body already read.
import type { ServerResponse } from 'node:http';
import { STEP_MEANINGS } from '../../../protocol/connection-timeline.ts';

/** The Server-Timing metric for each signaling route (signalingRouteName's names). */
const METRICS: Record<string, { name: string; desc: string }> = {
  connections: { name: 'offer', desc: STEP_MEANINGS['server:signaling-offer']!.label },
  'remote-description': { name: 'answer', desc: STEP_MEANINGS['server:signaling-answer']!.label },
  'additional-candidates': { name: 'candidates', desc: 'candidates sent' },
  close: { name: 'close', desc: 'connection closed' },
};
const OTHER = { name: 'signaling', desc: 'signaling request' };

/** One Server-Timing entry: `offer;dur=2.4;desc="offer made"` (dur in ms, to a tenth). */
export function serverTimingValue(name: string, durationMs: number, desc: string): string {
  const dur = Math.max(0, Math.round(durationMs * 10) / 10);
  return `${name};dur=${dur};desc="${desc.replace(/["\\]/g, '')}"`;
}

/**
 * Adds the Server-Timing header to `response` as its head is written, and
 * tells `written` when that was and with what status.
 */
export function timeSignalingAnswer(
  response: ServerResponse,
  route: string,
  startedAtMs: number,
  clock: () => number,
  written: (atMs: number, status: number) => void = () => {},
): void {
  const metric = METRICS[route] ?? OTHER;
  const writeHead = response.writeHead.bind(response) as (...args: unknown[]) => ServerResponse;
  response.writeHead = ((...args: unknown[]) => {
    // A second writeHead (geckos' 400-then-throw) finds the head sent: it throws as before, untimed.
    if (!response.headersSent) {
      const atMs = clock();
      // Headers passed to writeHead are merged over this one.
      response.setHeader('server-timing', serverTimingValue(metric.name, atMs - startedAtMs, metric.desc));
      written(atMs, typeof args[0] === 'number' ? args[0] : response.statusCode);
    }
    return writeHead(...args);
  }) as ServerResponse['writeHead'];
}
