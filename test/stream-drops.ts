// The test and bench seam for "the stream dropped": a network fault closing
// the client's WebSocket, after which NetClient reconnects and resumes. The
// game has no member for this (nothing in it ever drops its own stream);
// instead a client made for a test is given, through NetClientOptions'
// `webSocket`, a WebSocket class that remembers its newest socket, and the
// test closes that socket as a fault would (code CLOSE_SIMULATED_DROP). A
// client made without the option uses the global WebSocket and pays nothing.
// (The browser tests do the same in the page: test/e2e/browser-harness.ts.)
import { CLOSE_SIMULATED_DROP } from '../protocol/constants.ts';

export class DroppableStream {
  private newest: WebSocket | null = null;
  /** Pass as NetClientOptions.webSocket: the global WebSocket, each instance remembered as the newest. */
  readonly webSocket: typeof WebSocket;

  constructor() {
    const remember = (socket: WebSocket) => (this.newest = socket);
    this.webSocket = class extends globalThis.WebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        remember(this);
      }
    } as typeof WebSocket;
  }

  /** Closes the client's current stream socket as a network fault would; the client reconnects. */
  drop(): void {
    this.newest?.close(CLOSE_SIMULATED_DROP, 'simulated drop');
  }
}
