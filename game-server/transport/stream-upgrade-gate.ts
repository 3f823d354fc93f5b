// Who may open a stream socket: the checks an HTTP upgrade passes before ws
// completes it (the path, the page's origin, the sockets an address holds
// without having said hello), and the count that last check reads. Refusals
// are plain HTTP answers on the raw socket, counted by reason.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { DROP_ORIGIN_NOT_ALLOWED, DROP_TOO_MANY_SOCKETS, MAX_SOCKETS_WITHOUT_HELLO_PER_ADDRESS, STREAM_PATH } from '../../protocol/constants.ts';
import { requestPath } from '../http/request-path.ts';
import { addressKey } from '../limits/address-key.ts';
import { log } from '../ops/log.ts';
import type { Metrics } from '../ops/metrics.ts';
import { originAllowed } from './origin-policy.ts';

export interface UpgradeGateOptions {
  /** Pages on other origins that may open a socket (--allowed-origins; see origin-policy.ts). */
  allowedOrigins: readonly string[];
  /** The cluster's server URLs, asked at each upgrade from a page of another origin. */
  clusterOrigins: () => Iterable<string>;
}

export class StreamUpgradeGate {
  /** Open sockets per address that have not said hello yet (an address leaves at 0, so this is bounded by the open sockets). */
  private readonly awaitingHello = new Map<string, number>();

  constructor(
    private readonly metrics: Metrics,
    private readonly options: UpgradeGateOptions,
  ) {}

  /** The request's address key if it may upgrade; otherwise the socket has been answered and ended, and null. */
  admit(request: IncomingMessage, socket: Duplex): string | null {
    const path = requestPath(request.url);
    if (path !== STREAM_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return null;
    }
    // Before any per-address count: a third-party page must not spend its visitors' limits here.
    const upgradeOrigin = { origin: request.headers.origin, host: request.headers.host };
    if (!originAllowed(upgradeOrigin, { allowed: this.options.allowedOrigins, clusterOrigins: this.options.clusterOrigins })) {
      this.metrics.dropped('stream', 'in', DROP_ORIGIN_NOT_ALLOWED);
      log.debug(upgradeOrigin, 'stream upgrade refused: origin not allowed');
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return null;
    }
    const address = addressKey(request.socket.remoteAddress);
    if ((this.awaitingHello.get(address) ?? 0) >= MAX_SOCKETS_WITHOUT_HELLO_PER_ADDRESS) {
      this.metrics.dropped('stream', 'in', DROP_TOO_MANY_SOCKETS);
      socket.end('HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return null;
    }
    return address;
  }

  /** A socket from `address` opened: it counts until its first hello or its close (saidHello). */
  opened(address: string): void {
    this.awaitingHello.set(address, (this.awaitingHello.get(address) ?? 0) + 1);
  }

  /** A socket from `address` no longer counts (its first hello came, or it closed). */
  saidHello(address: string): void {
    const left = (this.awaitingHello.get(address) ?? 1) - 1;
    if (left > 0) this.awaitingHello.set(address, left);
    else this.awaitingHello.delete(address);
  }
}
