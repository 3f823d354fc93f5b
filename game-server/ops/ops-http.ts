// The ops listener: /metrics (Prometheus text) and the detailed /healthz
// (players, rooms, the directory, host name and pid in the server id) on a
// port and address of their own (--ops-port, --ops-host; loopback by
// default), so the game's public port shows none of it (issue 10). The game's
// port keeps a bare `{"status":"ok"}` at /healthz for load balancers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HEALTH_PATH, METRICS_PATH } from '../../protocol/constants.ts';
import { sendJson } from '../http/request-handler.ts';
import { requestPath } from '../http/request-path.ts';

export interface OpsRoutes {
  /** The detailed health: players, rooms, connections, the directory. */
  health(): object;
  metrics(): Promise<{ contentType: string; text: string }>;
}

/** The ops listener's request handler: two paths, 404 for the rest. */
export function createOpsRequestHandler(routes: OpsRoutes) {
  return (request: IncomingMessage, response: ServerResponse) => {
    const path = requestPath(request.url);
    if (path === HEALTH_PATH) return sendJson(response, 200, routes.health());
    if (path === METRICS_PATH) {
      routes
        .metrics()
        .then(
          ({ contentType, text }) => response.writeHead(200, { 'content-type': contentType }).end(text),
          () => response.writeHead(500).end('metrics unavailable\n'),
        )
        .catch(() => response.destroy());
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
  };
}
