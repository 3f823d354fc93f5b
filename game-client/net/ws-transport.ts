// The stream's transport adapter: one WebSocket to the server's /ws. Text
// messages (JSON events) and binary messages (snapshots) pass up as they are;
// what they mean, and whether they are valid, is the stream channel's
// business. Never throws from a socket callback. Uses the WebSocket class
// it is given (the browser's, ws in Node, or a test's: test/stream-drops.ts).
import type { StepReport } from './connection-events.ts';
import type { Transport, TransportData, TransportHandlers } from './transport.ts';

export class WsTransport implements Transport {
  private readonly socket: WebSocket;
  private heardAnything = false;

  constructor(url: string, Socket: typeof WebSocket, handlers: TransportHandlers, report: StepReport) {
    report('connecting');
    this.socket = new Socket(url);
    this.socket.binaryType = 'arraybuffer';
    this.socket.onopen = () => {
      report('channel-open');
      handlers.onOpen();
    };
    this.socket.onmessage = (event: MessageEvent) => {
      if (!this.heardAnything) {
        this.heardAnything = true;
        report('first-message');
      }
      const data: unknown = event.data;
      if (typeof data === 'string') handlers.onData(data);
      else if (data instanceof ArrayBuffer) handlers.onData(new Uint8Array(data));
    };
    // 'error' is always followed by 'close', which is where we act.
    this.socket.onerror = () => {};
    this.socket.onclose = (event: CloseEvent) => {
      report('closed', `${event.code}${event.reason ? ` ${event.reason}` : ''}`);
      handlers.onClose();
    };
  }

  /** Sends if the socket is open; returns the bytes sent (a text message's length in characters; 0 if not open). */
  send(data: TransportData): number {
    if (this.socket.readyState !== WebSocket.OPEN) return 0;
    this.socket.send(data);
    return typeof data === 'string' ? data.length : data.byteLength;
  }

  isUp(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  close(code = 1000, reason = 'bye'): void {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close(code, reason);
  }
}
