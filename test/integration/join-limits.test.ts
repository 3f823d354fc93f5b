// Limits that hold across connections, per remote address: a loop of
// {connect, hello, chat, leave} can neither join without bound nor multiply
// the chat limit by rejoining under new names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../game-server/server.ts';
import { ADDRESS_CHAT_BURST, ADDRESS_CHAT_REFILL_PER_S, CHAT_BURST, CLOSE_RATE_LIMITED, ERROR_JOIN_RATE_LIMITED, JOIN_BURST, JOIN_REFILL_PER_S } from '../../protocol/constants.ts';
import { connectClient, RawStream, shutDown, startTestServer, waitFor, type TestClient } from './harness.ts';

let server: RunningServer;
let observer: TestClient;

beforeAll(async () => {
  server = await startTestServer();
  observer = await connectClient(server.url, 'observer', { useDatagram: false });
});

afterAll(() => shutDown(server, observer));

/** Opens a socket and says hello; resolves with the first answer: a welcome, or an error. */
async function hello(name: string): Promise<{ raw: RawStream; welcomed: boolean; error?: string }> {
  const raw = new RawStream(server.url);
  await raw.opened();
  raw.send(JSON.stringify({ type: 'hello', name }));
  const first = await waitFor(() => raw.messages.find((m) => m.type === 'welcome' || m.type === 'error'), 'an answer to hello');
  return { raw, welcomed: first.type === 'welcome', ...(first.type === 'error' ? { error: first.code } : {}) };
}

describe('per-address limits', () => {
  it('a loop of joins and leaves cannot multiply the chat limit', async () => {
    const startedAt = Date.now();
    let sent = 0;
    // Half the join burst, five lines each: without a per-address limit, all 50 lines would arrive.
    for (let i = 0; i < JOIN_BURST / 2; i++) {
      const { raw, welcomed } = await hello(`looper-${i}`);
      expect(welcomed).toBe(true);
      for (let line = 0; line < CHAT_BURST; line++) raw.send(JSON.stringify({ type: 'chat', text: `spam ${i}.${line}` }));
      sent += CHAT_BURST;
      raw.send(JSON.stringify({ type: 'leave' }));
      await waitFor(() => raw.closed, 'the leave to close the socket');
    }
    const elapsedS = (Date.now() - startedAt) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 300)); // the last lines reach the observer
    const delivered = observer.events.filter((e) => e.type === 'chat' && e.text.startsWith('spam')).length;
    console.log(`${sent} chat lines sent over ${JOIN_BURST / 2} rejoins in ${elapsedS.toFixed(1)} s; ${delivered} delivered`);
    expect(delivered).toBeLessThanOrEqual(ADDRESS_CHAT_BURST + Math.ceil(ADDRESS_CHAT_REFILL_PER_S * (elapsedS + 0.3)));
    expect(delivered).toBeLessThan(sent);
  });

  it(`refuses joins past the burst (${JOIN_BURST}, then ${JOIN_REFILL_PER_S}/s) with join-rate-limited and close ${CLOSE_RATE_LIMITED}`, async () => {
    const answers = [];
    for (let i = 0; i < JOIN_BURST + 5; i++) {
      const answer = await hello(`burst-${i}`);
      answers.push(answer);
      if (!answer.welcomed) break;
    }
    const refused = answers.at(-1)!;
    expect(refused.welcomed).toBe(false);
    expect(refused.error).toBe(ERROR_JOIN_RATE_LIMITED);
    await waitFor(() => refused.raw.closed, 'the refused socket to close');
    expect(refused.raw.closed!.code).toBe(CLOSE_RATE_LIMITED);
    for (const { raw } of answers) raw.socket.close();
    // Everyone else plays on: the observer's stream is untouched.
    expect(observer.net.streamState).toBe('open');
  });
});
