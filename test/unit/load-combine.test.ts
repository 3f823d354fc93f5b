// The load bench's view of several server processes as one (--procs N).
import { describe, expect, it } from 'vitest';
import { combineSamples, type ServerSample } from '../../bench/load/server-sample.ts';

const sample = (over: Partial<ServerSample>): ServerSample => ({
  atMs: 0,
  cpuSeconds: 0,
  rssBytes: 0,
  eventLoopLagP99Ms: 0,
  players: 0,
  rooms: [],
  datagramSnapshotsSent: 0,
  drops: {},
  ...over,
});

describe('combineSamples', () => {
  it('sums CPU, memory, players and drops, keeps the worst lag and every room', () => {
    const a = sample({
      atMs: 5,
      cpuSeconds: 2,
      rssBytes: 100,
      eventLoopLagP99Ms: 3,
      players: 50,
      drops: { 'datagram out x': 1 },
      rooms: [{ room: 'load-1', players: 50, tickP50Ms: 1, tickP99Ms: 4 }],
    });
    const b = sample({
      atMs: 7,
      cpuSeconds: 1.5,
      rssBytes: 80,
      eventLoopLagP99Ms: 9,
      players: 40,
      drops: { 'datagram out x': 2, 'stream in y': 1 },
      rooms: [{ room: 'load-2', players: 40, tickP50Ms: 2, tickP99Ms: 5 }],
    });
    expect(combineSamples([b, a])).toEqual({
      atMs: 7,
      cpuSeconds: 3.5,
      rssBytes: 180,
      eventLoopLagP99Ms: 9,
      players: 90,
      datagramSnapshotsSent: 0,
      drops: { 'datagram out x': 3, 'stream in y': 1 },
      rooms: [a.rooms[0], b.rooms[0]],
    });
  });

  it('gives one process back as it is', () => {
    const only = sample({ cpuSeconds: 1 });
    expect(combineSamples([only])).toBe(only);
  });
});
