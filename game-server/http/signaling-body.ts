// Reads a signaling request's body ourselves, with a size cap and a deadline,
// before geckos sees the request.
//
// Why: geckos' body helper (`getJSONBody` in @geckos.io/server's
// httpServer/helpers.js) waits for 'end' with no deadline, so a body that
// announces 16 000 bytes and sends one held a signaling slot until Node's
// 15 s request timeout. Cutting the socket while geckos is still reading
// would make geckos log a bare "error", answer 500 on a dead response, and
// (for POST /connections, which reads no body) it would already have built a
// native peer connection. So geckos gets a request whose body is complete:
// a Readable that replays the buffered bytes, carrying the original method,
// url, headers and socket, which is all geckos (and its CORS and
// authorization hooks) read from a request.
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { failed, ok, type Result } from '../../protocol/result.ts';

export type BodyError = 'timeout' | 'too-large' | 'aborted';

/**
 * Waits for `request`'s whole body, at most `maxBytes`, for at most
 * `deadlineMs`; resolves with a request geckos can read as if it were the
 * original. A request without a body resolves at once.
 */
export function readBodyWithin(request: IncomingMessage, maxBytes: number, deadlineMs: number): Promise<Result<IncomingMessage, BodyError>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: Result<IncomingMessage, BodyError>) => {
      clearTimeout(timer);
      request.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      // The HTTP front checks Content-Length first; this also caps a chunked body.
      if (size > maxBytes) return finish(failed('too-large'));
      chunks.push(chunk);
    };
    const onEnd = () => finish(ok(replay(request, Buffer.concat(chunks, size))));
    // 'close' before 'end': the client went away mid-body.
    const onClose = () => finish(failed('aborted'));
    const timer = setTimeout(() => finish(failed('timeout')), deadlineMs);
    request.on('data', onData).once('end', onEnd).once('close', onClose).once('error', onClose);
  });
}

/** A stand-in for `request` whose body is `body`, already complete. */
function replay(request: IncomingMessage, body: Buffer): IncomingMessage {
  const replayed = Readable.from(body.byteLength > 0 ? [body] : []);
  return Object.assign(replayed, {
    method: request.method,
    url: request.url,
    headers: request.headers,
    rawHeaders: request.rawHeaders,
    httpVersion: request.httpVersion,
    socket: request.socket,
    complete: true,
  }) as unknown as IncomingMessage;
}
