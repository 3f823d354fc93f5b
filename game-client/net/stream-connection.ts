// One WebSocket to the server's /ws: JSON events in and out, binary snapshot
// frames in. It validates everything it receives and never throws from a
// socket callback. Uses the WebSocket class it is given (the browser's, or ws
// in Node).
import { parseServerMessage, type ClientMessage, type ServerMessage } from '../../protocol/wire/stream.ts';

export interface StreamHandlers {
  onOpen(): void;
  onMessage(message: ServerMessage, bytes: number): void;
  onBinary(bytes: Uint8Array): void;
  /** A frame that failed validation: the server is newer than us, or broken. */
  onInvalid(reason: string): void;
  onClose(code: number, reason: string): void;
}

export class StreamConnection {
  private readonly socket: WebSocket;

  /** `Socket`: the WebSocket class (the global one, or a test's: test/stream-drops.ts). */
  constructor(url: string, Socket: typeof WebSocket, private readonly handlers: StreamHandlers) {
    this.socket = new Socket(url);
    this.socket.binaryType = 'arraybuffer';
    this.socket.onopen = () => handlers.onOpen();
    this.socket.onmessage = (event: MessageEvent) => this.receive(event.data);
    // 'error' is always followed by 'close', which is where we act.
    this.socket.onerror = () => {};
    this.socket.onclose = (event: CloseEvent) => handlers.onClose(event.code, event.reason);
  }

  /** Sends a message if the socket is open; returns the bytes sent (0 if not). */
  send(message: ClientMessage): number {
    if (this.socket.readyState !== WebSocket.OPEN) return 0;
    const text = JSON.stringify(message);
    this.socket.send(text);
    return text.length;
  }

  sendBinary(bytes: Uint8Array): number {
    if (this.socket.readyState !== WebSocket.OPEN) return 0;
    this.socket.send(bytes);
    return bytes.byteLength;
  }

  close(code = 1000, reason = 'bye'): void {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close(code, reason);
  }

  private receive(data: unknown) {
    if (typeof data === 'string') {
      const parsed = parseServerMessage(data);
      if (parsed.ok) this.handlers.onMessage(parsed.value, data.length);
      else this.handlers.onInvalid(parsed.message ?? parsed.error);
    } else if (data instanceof ArrayBuffer) {
      this.handlers.onBinary(new Uint8Array(data));
    }
  }
}
