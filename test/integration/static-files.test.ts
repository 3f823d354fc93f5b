// The built client served by a real server process from a folder that
// changes under it (issue 9: rebuilding dist/ under a running server ended
// the process on the next page request). Files deleted, replaced, made
// unreadable, the whole folder rebuilt: each request gets an answer (or, once
// its headers are out, a cut connection), and the process lives on and keeps
// answering. Loopback only.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './harness.ts';
import { startScript, type ScriptProcess } from './script-process.ts';

const START_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 5_000;

let dir: string;
let server: ScriptProcess;
let url = '';
const unixSockets: Server[] = [];

/** Writes the files of one "build" of the client into `dir`. */
function build(files: Record<string, string>) {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/** GET `path`: its status and body, or the network error's text if the connection was cut. */
async function get(path: string): Promise<{ status: number; body: string } | { cut: string }> {
  try {
    const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError') throw error; // no answer at all is a failure
    return { cut: String((error as Error).cause ?? error) };
  }
}

/** Sends `GET target` over raw TCP (as an upgrade to WebSocket, or not) and resolves with what came back before the server closed, or after 2 s. */
function rawRequest(port: number, target: string, upgrade: boolean): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const done = () => {
      socket.destroy();
      resolve(text);
    };
    const timer = setTimeout(done, 2_000);
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    const headers = upgrade
      ? 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
      : 'Connection: close\r\n';
    socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`);
  });
}

/** The process is still running and answers the game port's liveness probe. */
async function expectAlive() {
  expect(server.child.exitCode).toBeNull();
  expect(server.child.signalCode).toBeNull();
  const health = await get('/healthz');
  expect(health).toMatchObject({ status: 200 });
  expect(JSON.parse((health as { body: string }).body)).toMatchObject({ status: 'ok' });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'arena-static-'));
  build({
    'index.html': '<!doctype html><title>arena v1</title><script src="/assets/app-v1.js"></script>',
    'assets/app-v1.js': 'console.log("v1")',
    'assets/style.css': 'body { color: red }',
    '.env': 'SECRET=1',
  });
  server = startScript('game-server/main.ts', ['--host', '127.0.0.1', '--port', '0', '--static-dir', dir], { LOG_LEVEL: 'info' });
  const line = await waitFor(
    () =>
      server
        .stdout()
        .split('\n')
        .find((l) => l.includes('listening')),
    'the server to start',
    START_TIMEOUT_MS,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${server.stdout()}\n${server.stderr()}`);
  });
  url = JSON.parse(line).url as string;
}, START_TIMEOUT_MS + 5_000);

afterAll(async () => {
  server?.kill();
  for (const socket of unixSockets) await new Promise((resolve) => socket.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('static files changing under a running server', () => {
  it('serves the page, its files, and the page for a path of the app', async () => {
    expect(await get('/')).toMatchObject({ status: 200, body: expect.stringContaining('arena v1') });
    expect(await get('/assets/app-v1.js')).toEqual({ status: 200, body: 'console.log("v1")' });
    expect(await get('/some/room')).toMatchObject({ status: 200, body: expect.stringContaining('arena v1') });
  });

  it('does not serve a dotfile from the folder, however the path is escaped', async () => {
    expect(await get('/.env')).toMatchObject({ status: 404 });
    expect(await get('/%2eenv')).toMatchObject({ status: 404 });
    expect(await get('/%2Eenv')).toMatchObject({ status: 404 });
    expect(await get('/assets/..%2f.env')).toMatchObject({ status: 404 });
    expect(await get('/%E0%A4%A')).toMatchObject({ status: 400 }); // does not decode
  });

  it("answers a request target that is not a path (`//`, `//[`), on the page and on the stream's upgrade, and lives on", async () => {
    const { port } = new URL(url);
    for (const target of ['//', '//[', '//a:b', '//%']) {
      for (const upgrade of [false, true]) {
        const answer = await rawRequest(Number(port), target, upgrade);
        // Any answer (`//` is the app's page, sirv serves it), as long as there is one and the process lives.
        expect(answer, `${target}${upgrade ? ' (upgrade)' : ''}`).toMatch(/^HTTP\/1\.1 (200|400|404) /);
      }
    }
    await expectAlive();
  });

  it('answers 404 for a file deleted after it was served, and lives on', async () => {
    expect(await get('/assets/style.css')).toMatchObject({ status: 200 });
    rmSync(join(dir, 'assets/style.css'));
    expect(await get('/assets/style.css')).toMatchObject({ status: 404 });
    await expectAlive();
  });

  it('serves a replaced file whole, at its new length', async () => {
    const longer = `console.log("${'v1, rebuilt '.repeat(100)}")`;
    build({ 'assets/app-v1.js': longer });
    expect(await get('/assets/app-v1.js')).toEqual({ status: 200, body: longer });
    build({ 'assets/app-v1.js': 'x' });
    expect(await get('/assets/app-v1.js')).toEqual({ status: 200, body: 'x' });
  });

  it('answers 404 "not built" while index.html is gone, for the page and the app\'s paths, and serves it again once back', async () => {
    rmSync(join(dir, 'index.html'));
    for (const path of ['/', '/index.html', '/some/room']) {
      const answer = await get(path);
      expect(answer).toMatchObject({ status: 404, body: expect.stringContaining('The client is not built') });
    }
    await expectAlive();
    build({ 'index.html': '<!doctype html><title>arena v1 again</title>' });
    expect(await get('/')).toMatchObject({ status: 200, body: expect.stringContaining('arena v1 again') });
  });

  it('cuts the response to a file that cannot be opened (its headers were out), and lives on', async () => {
    // A Unix socket in the folder: it exists and is no directory, so sirv sends
    // headers and pipes a read stream, whose open fails (ENXIO) even as root.
    const socketPath = join(dir, 'assets/unreadable.js');
    await new Promise<void>((resolve) => unixSockets.push(createServer().listen(socketPath, resolve)));
    const answer = await get('/assets/unreadable.js');
    // Node had not written the head yet, but it counts as sent: the only honest answer left is to cut.
    expect(answer).toMatchObject({ cut: expect.any(String) });
    await expectAlive();
    expect(server.stderr()).not.toMatch(/ENXIO|Unhandled/);
  });

  it('serves a whole rebuild (folder emptied, new file names) without a restart, and 404s the old names', async () => {
    rmSync(dir, { recursive: true, force: true });
    expect(await get('/')).toMatchObject({ status: 404, body: expect.stringContaining('The client is not built') });
    expect(await get('/assets/app-v1.js')).toMatchObject({ status: 404 });
    mkdirSync(dir);
    build({
      'index.html': '<!doctype html><title>arena v2</title><script src="/assets/app-v2.js"></script>',
      'assets/app-v2.js': 'console.log("v2")',
    });
    expect(await get('/')).toMatchObject({ status: 200, body: expect.stringContaining('arena v2') });
    expect(await get('/assets/app-v2.js')).toEqual({ status: 200, body: 'console.log("v2")' });
    expect(await get('/assets/app-v1.js')).toMatchObject({ status: 404 });
    await expectAlive();
  });
});
