// A server saying goodbye: every player hears why before its socket closes,
// and a page that reconnects during the goodbye's flush finds the door shut
// (503) instead of a welcome from the dying server — or it would take that
// welcome for the server's return, and lose the reason it was given.
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RunningServer } from '../../game-server/server.ts';
import { joinRaw, shutDown, startTestServer, waitFor } from './harness.ts';

let server: RunningServer | undefined;

afterAll(async () => {
  await shutDown(server);
});

/** Opens a WebSocket to the stream: 'open', or the HTTP status it was refused with, or 'failed' (nothing listening). */
function tryStream(url: string): Promise<'open' | number | 'failed'> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
    socket.on('open', () => {
      resolve('open');
      socket.close();
    });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('error', () => resolve('failed'));
  });
}

describe('a server shutting down', () => {
  it('tells its players why, and admits no new stream while it says goodbye', async () => {
    server = await startTestServer();
    const player = await joinRaw(server.url, 'stays');
    const closing = server.close(); // not awaited: the goodbye is under way
    const late = await tryStream(server.url);
    expect(late).not.toBe('open');
    // Still listening during the flush, the server says why; a slow machine may find it already gone.
    if (late !== 'failed') expect(late).toBe(503);
    const goodbye = await player.next('shutdown');
    expect(goodbye.reason).toMatch(/shutting down/);
    await waitFor(() => player.closed, 'the old socket to be closed');
    expect(player.closed?.code).toBe(1001);
    await closing;
    server = undefined;
  });
});
