// The built client (dist/ or --static-dir), served by sirv. No file can take
// the server down (issue 9): rebuilding dist/ under a running server (a second
// `npm start` in the same folder) once made a page request open a deleted
// index.html, and sirv pipes `fs.createReadStream` into the response with no
// 'error' listener, so the read error ended the process and every room in it.
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import sirv from 'sirv';
import { log } from '../ops/log.ts';
import { requestPath } from './request-path.ts';

const NOT_BUILT = 'The client is not built. Run `npm run build` (then `npm start`), or `npm run dev`.\n';

/**
 * A handler for every path the game does not claim. A file that is gone is
 * a 404; one that cannot be read is a 500 or, once its headers are out, a cut
 * connection; a missing index.html is the "not built" 404.
 */
export function createStaticHandler(staticDir: string): (request: IncomingMessage, response: ServerResponse) => void {
  // `dev: true` only means: stat each file when it is asked for, rather than
  // from a list made at start. With the list, a rebuilt dist/ (new hashed
  // file names, new sizes) was served with stale lengths, its new files were
  // 404, and its deleted ones read errors.
  const serve = sirv(staticDir, { dev: true, single: true, etag: true, gzip: false });
  const notFound = (response: ServerResponse) => sendText(response, 404, existsSync(join(staticDir, 'index.html')) ? 'not found\n' : NOT_BUILT);

  return (request, response) => {
    // sirv's per-request lookup does not skip dotfiles as its start-time list did: no .env or .git from the
    // folder. Checked on the decoded path, as sirv reads it (`/%2eenv` is `/.env`).
    const path = decodedPath(request.url);
    if (path === null) return sendText(response, 400, 'bad request target\n');
    if (/\/\./.test(path)) return notFound(response);
    response.once('pipe', (source: Readable) => guardFileStream(source, response));
    try {
      serve(request, response, () => notFound(response));
    } catch (error) {
      // A file deleted between sirv's exists and stat calls throws here, synchronously.
      fail(response, error);
    }
  };
}

/**
 * Makes a read error on the file piped into `response` harmless: a 500 if
 * nothing was sent yet, else the response is cut (its length is promised).
 * The file is closed when the response ends first (a client that left).
 */
function guardFileStream(source: Readable, response: ServerResponse) {
  source.once('error', (error) => fail(response, error));
  response.once('close', () => source.destroy());
}

function fail(response: ServerResponse, error: unknown) {
  log.warn({ err: error }, 'static file unreadable');
  if (response.headersSent) response.destroy();
  else sendText(response, 500, 'file unreadable\n');
}

function sendText(response: ServerResponse, status: number, text: string) {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(text);
}

/** The request's path with %-escapes decoded, or null if it is not a path or does not decode. */
function decodedPath(target: string | undefined): string | null {
  const path = requestPath(target);
  if (path === null) return null;
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}
