// The benches' per-thread CPU reading (bench/common/thread-cpu.ts), on
// literal /proc stat lines: the name may hold spaces and parentheses, and a
// thread that starts or ends inside the window must not skew the sums.
import { describe, expect, it } from 'vitest';
import { MAIN_THREAD, cpuBetween, parseTaskStat, type ProcessCpuReading, type TaskStat } from '../../bench/common/thread-cpu.ts';

/** A stat line as Linux writes it, with utime and stime in fields 14 and 15. */
const statLine = (id: number, name: string, utime: number, stime: number) =>
  `${id} (${name}) S 4100 4100 3900 0 -1 4194560 5120 0 3 0 ${utime} ${stime} 0 0 20 0 11 0 1242694 3133440 381 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 1 0 0 0 0 0`;

describe('parseTaskStat', () => {
  it('reads the id, name, user and system ticks of a thread', () => {
    expect(parseTaskStat(statLine(4101, 'node', 150, 30))).toEqual({ id: 4101, name: 'node', userTicks: 150, systemTicks: 30 });
  });

  it('reads a name holding spaces and parentheses up to the last parenthesis', () => {
    expect(parseTaskStat(statLine(4107, 'node (worker)', 7, 2))).toEqual({ id: 4107, name: 'node (worker)', userTicks: 7, systemTicks: 2 });
    expect(parseTaskStat(statLine(4108, ') x (', 1, 0))?.name).toBe(') x (');
  });

  it('reads a line copied from a real /proc/self/stat', () => {
    const line =
      '14922 (cat) R 14920 14920 14112 0 -1 4194304 98 0 0 0 3 1 0 0 20 0 1 0 1242694 3133440 381 18446744073709551615 94814459699200 94814459719081 140732467931168 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 94814459735088 94814459736704 94815429668864 140732467940066 140732467940086 140732467940086 140732467941355 0\n';
    expect(parseTaskStat(line)).toEqual({ id: 14922, name: 'cat', userTicks: 3, systemTicks: 1 });
  });

  it('gives null for what is not a stat line', () => {
    expect(parseTaskStat('')).toBeNull();
    expect(parseTaskStat('4101 node S 1 2 3')).toBeNull();
    expect(parseTaskStat('4101 (node) S 1 2')).toBeNull(); // cut before utime
    expect(parseTaskStat('x (node) S 4100 4100 3900 0 -1 4194560 5120 0 3 0 1 1 0')).toBeNull();
  });
});

describe('cpuBetween', () => {
  const thread = (id: number, name: string, user: number, system: number): TaskStat => ({ id, name, userTicks: user, systemTicks: system });
  const reading = (atMs: number, processTicks: number, threads: TaskStat[]): ProcessCpuReading => ({
    pid: 4100,
    atMs,
    process: thread(4100, 'node', processTicks, 0),
    threads,
  });

  it('splits the main thread from the others, grouped by name, most CPU first', () => {
    const start = reading(1_000, 100, [
      thread(4100, 'node', 50, 10),
      thread(4101, 'V8Worker', 5, 0),
      thread(4102, 'V8Worker', 5, 0),
      thread(4103, 'juice', 20, 10),
    ]);
    const end = reading(11_000, 400, [
      thread(4100, 'node', 150, 30),
      thread(4101, 'V8Worker', 6, 0),
      thread(4102, 'V8Worker', 8, 0),
      thread(4103, 'juice', 120, 70),
    ]);
    // 100 ticks/s: a tick is 10 ms
    expect(cpuBetween(start, end, 100)).toEqual({
      windowMs: 10_000,
      processCpuMs: 3_000,
      mainCpuMs: 1_200,
      otherThreadsCpuMs: 1_800,
      groups: [
        { name: 'juice', threads: 1, cpuMs: 1_600 },
        { name: MAIN_THREAD, threads: 1, cpuMs: 1_200 },
        { name: 'V8Worker', threads: 2, cpuMs: 40 },
      ],
    });
  });

  it('counts a thread born in the window from zero, and one that ended only in the process total', () => {
    const start = reading(0, 10, [thread(4100, 'node', 10, 0), thread(4104, 'gone', 0, 0)]);
    const end = reading(1_000, 40, [thread(4100, 'node', 20, 0), thread(4105, 'node (worker)', 4, 1)]);
    const between = cpuBetween(start, end, 100);
    expect(between.groups).toEqual([
      { name: MAIN_THREAD, threads: 1, cpuMs: 100 },
      { name: 'node (worker)', threads: 1, cpuMs: 50 },
    ]);
    expect(between.processCpuMs).toBe(300);
    expect(between.otherThreadsCpuMs).toBe(200);
  });
});
