// Where a process spent its CPU: the self time of a V8 .cpuprofile (what
// `node --cpu-prof` writes) summed by function and file, the biggest first.
//
//   npx tsx bench/load/cpu-profile-top.ts PROFILE.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/** The parts of the .cpuprofile format used here. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  /** The node sampled at each tick… */
  samples: number[];
  /** …and the µs since the sample before it. */
  timeDeltas: number[];
  /** When profiling began, in µs on the monotonic clock (process.hrtime's, in any process of the machine). */
  startTime?: number;
}

export interface SelfTime {
  /** `name (file:line)` (`name (file)` where the line is unknown), or V8's own bucket: (garbage collector), (program), (idle). */
  where: string;
  selfMs: number;
  /** Share of the busy time (everything but (idle)). */
  pctOfBusy: number;
}

/**
 * Self time per function. Sample i lasted until sample i+1, so it gets
 * timeDeltas[i + 1]; functions with the same name, file and line (one
 * function reached by different paths) are summed. With `within` (µs on the
 * monotonic clock, as `process.hrtime.bigint() / 1000n` reads it) only the
 * samples taken in that span count: a measurement window, without the
 * connects before it.
 */
export function selfTimeByFunction(profile: CpuProfile, within?: { fromUs: number; toUs: number }): SelfTime[] {
  const whereOf = new Map<number, string>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    // Code tsx compiled on the fly reports line 0 for everything: then the file alone says more than a wrong line.
    const line = lineNumber > 0 ? `:${lineNumber + 1}` : '';
    whereOf.set(node.id, url ? `${name} (${shortUrl(url)}${line})` : name);
  }
  const totals = new Map<string, number>();
  let atUs = profile.startTime ?? 0;
  for (let i = 0; i < profile.samples.length; i++) {
    atUs += profile.timeDeltas[i] ?? 0;
    if (within && (atUs < within.fromUs || atUs >= within.toUs)) continue;
    const where = whereOf.get(profile.samples[i]!) ?? '(unknown)';
    totals.set(where, (totals.get(where) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  const busyUs = [...totals].filter(([where]) => where !== '(idle)').reduce((n, [, us]) => n + us, 0);
  return [...totals]
    .map(([where, us]) => ({
      where,
      selfMs: Math.round(us / 100) / 10,
      pctOfBusy: where === '(idle)' ? 0 : Math.round((1000 * us) / Math.max(1, busyUs)) / 10,
    }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

/** The top `n` lines as text, (idle) left out. */
export function formatTop(times: SelfTime[], n: number): string {
  return times
    .filter((t) => t.where !== '(idle)')
    .slice(0, n)
    .map((t) => `${String(t.pctOfBusy).padStart(5)} %  ${String(t.selfMs).padStart(9)} ms  ${t.where}`)
    .join('\n');
}

/** A file URL relative to this repository; node_modules paths from the package on. */
function shortUrl(url: string): string {
  if (!url.startsWith('file://')) return url;
  const path = fileURLToPath(url);
  const inModules = path.lastIndexOf('node_modules/');
  return inModules >= 0 ? path.slice(inModules + 'node_modules/'.length) : relative(process.cwd(), path);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '25' } }, allowPositionals: true });
  if (positionals.length !== 1) {
    console.error('usage: npx tsx bench/load/cpu-profile-top.ts PROFILE.cpuprofile [--top N]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as CpuProfile;
  console.log(formatTop(selfTimeByFunction(profile), Number(values.top)));
}
