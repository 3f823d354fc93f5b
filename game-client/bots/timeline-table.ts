// `npm run bots -- --timeline`: one bot's connection timeline as a table on
// the terminal, the same rows the page's panel draws (ui/timeline-panel.ts):
// each step of each attempt with the socket call it stands for, when it
// began and how long it took (ms since the bot began joining), how well it is
// known; the steps Node's WebRTC cannot observe are listed as unavailable,
// with why, never given made-up times. Pure: a timeline in, text out.
import { STEP_MEANINGS, type ConnectionTimeline } from '../../protocol/connection-timeline.ts';
import { CHANNEL_NAMES } from '../../protocol/constants.ts';

const COLUMNS = ['lane', '#', 'side', 'step', 'socket call', 'start ms', 'took ms', 'quality'] as const;

export function timelineTable(timeline: ConnectionTimeline): string {
  const rows: string[][] = [];
  const notes = new Map<string, string>();
  for (const channel of [...CHANNEL_NAMES].reverse()) {
    for (const attempt of timeline.channels[channel]) {
      rows.push([channel, `${attempt.n}`, '', `${attempt.reason} → ${attempt.outcome}`, '', '', '', '']);
      for (const step of attempt.steps) {
        const label = STEP_MEANINGS[`${step.side}:${step.id}`]?.label ?? step.id;
        if (step.quality === 'unavailable') notes.set(label, step.source);
        rows.push(['', '', step.side, label, step.seedCall, ms(step.startMs), ms(step.durationMs), step.quality]);
      }
    }
  }
  const widths = COLUMNS.map((name, i) => Math.max(name.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i >= 5 && i <= 6 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const { offsetMs, rttMs, pinned } = timeline.clock;
  const clock = pinned ? 'pinned' : `offset ${offsetMs.toFixed(1)} ms ± ${(rttMs / 2).toFixed(1)} ms`;
  return [
    `connection timeline (ms since joining; server steps placed with the clock ${clock})`,
    line(COLUMNS),
    ...rows.map(line),
    ...[...notes].map(([label, why]) => `unavailable: ${label}: ${why}`),
    ...timeline.events.map((e) => `mark ${ms(e.atMs)} ms ${e.kind}: ${e.detail}`),
  ].join('\n');
}

const ms = (value: number | null) => (value === null ? '—' : value.toFixed(1));
