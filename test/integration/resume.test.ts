// Sessions survive a dropped stream: the client resumes with its session
// token and the last event sequence it saw, and the server replays the rest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../game-server/server.ts';
import { LINKDEAD_GRACE_MS } from '../../protocol/constants.ts';
import type { ScriptedWorld } from '../scripted-world.ts';
import { DroppableStream } from '../stream-drops.ts';
import { connectClient, shutDown, startTwoPlayerArena, waitFor, type TestClient } from './harness.ts';

let server: RunningServer;
let world: ScriptedWorld;
let alice: TestClient;
let bob: TestClient;
/** Alice's stream sockets, to drop the current one as a network fault would. */
const aliceStream = new DroppableStream();

beforeAll(async () => {
  ({ server, world, alice, bob } = await startTwoPlayerArena({ alice: { webSocket: aliceStream.webSocket } }));
  // Give alice a point, so "same score" means something.
  world.place(alice.net.playerId, world.coins[0]!);
  await waitFor(() => alice.events.some((e) => e.type === 'score' && e.playerId === alice.net.playerId), 'alice to score');
});

afterAll(() => shutDown(server, alice, bob));

const chatLines = (client: TestClient) => [...client.replayed, ...client.events].flatMap((e) => (e.type === 'chat' ? [e.text] : []));

describe('resuming a session', () => {
  it('loses no event while the stream is down, and duplicates none', async () => {
    const id = alice.net.playerId;
    const score = alice.welcomes[0]!.scores[String(id)] ?? 0;
    aliceStream.drop();
    await waitFor(() => alice.net.streamState === 'reconnecting', 'alice to notice the drop');
    expect(alice.net.sessionState).toBe('resuming');
    for (const line of ['while', 'you', 'were', 'away']) bob.net.chat(line);
    await waitFor(() => alice.welcomes.length === 2, 'the resumed welcome');
    expect(alice.net.sessionState).toBe('joined');
    await waitFor(() => chatLines(alice).includes('away'), 'the missed lines');

    expect(chatLines(alice).filter((l) => ['while', 'you', 'were', 'away'].includes(l))).toEqual(['while', 'you', 'were', 'away']);
    const seqs = [...alice.replayed, ...alice.events].map((e) => e.seq).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(seqs.length);
    const welcome = alice.welcomes[1]!;
    expect(welcome.resumed).toBe(true);
    expect(welcome.replayComplete).toBe(true);
    expect(welcome.playerId).toBe(id);
    expect(welcome.scores[String(id)]).toBeGreaterThanOrEqual(score + 1);
    // A quick reconnect is seamless: nobody saw alice leave.
    expect(bob.events.some((e) => e.type === 'leave' && e.playerId === id)).toBe(false);
  });

  it('keeps moving the same player after the resume', async () => {
    const id = alice.net.playerId;
    const from = bob.snapshots.length;
    await waitFor(() => bob.snapshots.slice(from).some((s) => s.snapshot.entities.some((e) => e.id === id)), 'alice in snapshots');
  });

  it('resumes after the player has left the arena (a page reload): same id, same score, announced again', async () => {
    const { sessionToken, lastSeq, playerId } = alice.net;
    alice.net.close(); // no goodbye: like closing the tab
    await waitFor(() => bob.events.some((e) => e.type === 'leave' && e.playerId === playerId), 'bob to see alice leave', LINKDEAD_GRACE_MS + 5_000);
    // Her score when she left: a coin may have appeared under her while she stood still.
    const lastScore = bob.events.filter((e) => e.type === 'score' && e.playerId === playerId).at(-1);
    const score = lastScore?.type === 'score' ? lastScore.score : bob.welcomes[0]!.scores[String(playerId)];
    bob.net.chat('after you left');

    alice = await connectClient(server.url, 'alice', { resume: { sessionToken, lastSeq } });
    expect(alice.net.playerId).toBe(playerId);
    expect(alice.welcomes[0]).toMatchObject({ resumed: true });
    expect(alice.welcomes[0]!.scores[String(playerId)]).toBe(score);
    await waitFor(() => alice.replayed.some((e) => e.type === 'chat' && e.text === 'after you left'), 'the missed line');
    await waitFor(() => bob.events.some((e) => e.type === 'join' && e.playerId === playerId), 'bob to see alice return');
  });

  it('treats an unknown session token as a new player', async () => {
    const carol = await connectClient(server.url, 'carol', { resume: { sessionToken: 'x'.repeat(32), lastSeq: 0 } });
    expect(carol.welcomes[0]).toMatchObject({ resumed: false, name: 'carol' });
    expect(carol.net.playerId).not.toBe(alice.net.playerId);
    carol.net.close();
  });

  it('ends the session when the player says goodbye', async () => {
    const dave = await connectClient(server.url, 'dave');
    const { sessionToken, playerId } = dave.net;
    dave.net.leave();
    await waitFor(() => bob.events.some((e) => e.type === 'leave' && e.playerId === playerId && e.reason === 'left'), 'the leave');
    const again = await connectClient(server.url, 'dave', { resume: { sessionToken, lastSeq: 0 } });
    expect(again.welcomes[0]!.resumed).toBe(false);
    again.net.close();
  });
});
