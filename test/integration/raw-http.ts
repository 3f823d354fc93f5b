// HTTP over raw TCP sockets on loopback, for what clients never send: half a
// header, a body that never ends, many requests from one source address.
// Loopback is 127.0.0.0/8, so a socket bound to 127.0.0.2 is "another
// address" to the server, on any Linux machine.
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';

/** A path geckos reads a body for: what a slow body holds a signaling slot on. */
export const SLOW_SIGNALING_PATH = '/.wrtc/v2/connections/abcdefghijklmnopqrstuvwx/remote-description';
/** A signaling path answered at once (404: no such connection) when a slot is free. */
export const QUICK_SIGNALING_PATH = '/.wrtc/v2/connections/abcdefghijklmnopqrstuvwx/additional-candidates';

export const SLOW_BODY_BYTES = 100;
export const SLOW_BODY_START = '{"sdp":';
/** Headers and the first few bytes of a signaling body that says it is SLOW_BODY_BYTES long. */
export const slowSignalingStart =
  `POST ${SLOW_SIGNALING_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
  `Content-Length: ${SLOW_BODY_BYTES}\r\n\r\n${SLOW_BODY_START}`;

export interface RawHttp {
  socket: Socket;
  received(): string;
  /** Resolves with ms from connect to close; rejects if the server keeps the socket past `withinMs`. */
  closed(withinMs: number): Promise<number>;
}

/** Opens a raw TCP socket to the server (from `localAddress`, if given) and writes `bytes` (if any) once connected. */
export function rawHttp(port: number, bytes?: string, localAddress?: string): RawHttp {
  const openedAt = Date.now();
  const socket = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) }, () => {
    if (bytes) socket.write(bytes);
  });
  socket.on('error', () => {});
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString('latin1')));
  const closedAt = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - openedAt)));
  return {
    socket,
    received: () => text,
    closed(withinMs) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`socket still open after ${withinMs} ms`)), withinMs);
      });
      return Promise.race([closedAt, deadline]).finally(() => clearTimeout(timer));
    },
  };
}

/** One request from `localAddress` on a fresh connection: its status and headers. */
export function requestFrom(
  port: number,
  localAddress: string,
  path: string,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, localAddress, path, method, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
    });
    request.on('error', reject);
    request.end();
  });
}

/**
 * Keeps `perAddress` slow signaling requests open from each of `addresses`,
 * the way an attacker keeps its slots: each one cut or refused is opened
 * again after `reopenDelayMs`, at most `maxOpens` in all.
 */
export class SlowSignalingFlood {
  readonly sockets = new Set<RawHttp>();
  /** The head (status line and headers) of every answer the flood got. */
  readonly answers: string[] = [];
  private opens = 0;
  private stopped = false;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    private readonly port: number,
    addresses: string[],
    perAddress: number,
    private readonly reopenDelayMs: number,
    private readonly maxOpens: number,
  ) {
    for (const address of addresses) for (let i = 0; i < perAddress; i += 1) this.open(address);
  }

  /** The answers that began with `statusLine` (e.g. 'HTTP/1.1 429 '). */
  answered(statusLine: string): string[] {
    return this.answers.filter((head) => head.startsWith(statusLine));
  }

  /** Stops reopening and cuts every socket still open. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const raw of this.sockets) raw.socket.destroy();
  }

  private open(address: string) {
    if (this.stopped || this.opens >= this.maxOpens) return;
    this.opens += 1;
    const raw = rawHttp(this.port, slowSignalingStart, address);
    this.sockets.add(raw);
    raw.socket.once('close', () => {
      this.sockets.delete(raw);
      const head = raw.received().split('\r\n\r\n')[0];
      if (head) this.answers.push(head);
      if (this.stopped) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.open(address);
      }, this.reopenDelayMs);
      this.timers.add(timer);
    });
  }
}
