// How busy the whole machine was between two readings of /proc/stat (Linux),
// every process counted: on a shared machine something other than the server
// and the bots can take the cores, and the bench should say so. Elsewhere
// there is no /proc/stat and the reading is null.
import { readFileSync } from 'node:fs';

/** Jiffies since boot from the first ("cpu", all cores) line of /proc/stat. */
export interface CpuTimes {
  busy: number;
  total: number;
}

/** The all-cores line of a /proc/stat text; null if it is not there. Idle and iowait count as not busy. */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

export function readCpuTimes(): CpuTimes | null {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

/** Busy share of all cores between two readings, in % (100 = every core busy); null without both readings. */
export function busyPct(start: CpuTimes | null, end: CpuTimes | null): number | null {
  if (!start || !end || end.total <= start.total) return null;
  return Math.round((1000 * (end.busy - start.busy)) / (end.total - start.total)) / 10;
}
