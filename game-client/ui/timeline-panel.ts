// The connection timeline, drawn: two lanes, stream and datagram, each a
// waterfall of its newest attempts (one bar per step, its duration beside
// it, and the socket call it stands for), the marks across both lanes (a
// reconnect, a resume, a redirect, a fallback, a change of the simulated
// network) on a strip of the time since joining, and hover text on every row
// saying how it was measured. T shows and hides it; it takes a column of its
// own beside the arena, so nothing covers the arena.
import { STEP_MEANINGS, type TimelineAttempt, type TimelineStep } from '../../protocol/connection-timeline.ts';
import { CHANNEL_NAMES, type ChannelName, type ConnectionTimeline, type GameStatus } from '../game-view.ts';
import { byId, textElement } from './dom.ts';

export const TIMELINE_KEY = 't';
const REFRESH_MS = 500;
/** Attempts drawn in full per lane; older ones get a line each. */
const ATTEMPTS_DRAWN = 2;
/** Marks listed under the strip. */
const MARKS_LISTED = 4;

export function createTimelinePanel(source: { status(): GameStatus }, isTyping: () => boolean): void {
  const root = byId('timeline-panel');
  const page = byId('page');
  const place = () => page.classList.toggle('timeline-open', !root.hidden);
  window.addEventListener('keydown', (event) => {
    if (event.key.toLowerCase() !== TIMELINE_KEY || isTyping() || event.target instanceof HTMLInputElement) return;
    root.hidden = !root.hidden;
    place();
    if (!root.hidden) render(root, source.status());
  });
  place();
  setInterval(() => root.hidden || render(root, source.status()), REFRESH_MS);
}

function render(root: HTMLElement, status: GameStatus) {
  const timeline = status.timeline;
  const simulated = status.settings.latency > 0 || status.settings.jitter > 0 || status.settings.loss > 0;
  root.replaceChildren(
    head(timeline),
    marksStrip(timeline),
    ...CHANNEL_NAMES.slice()
      .reverse()
      .map((channel) => lane(channel, timeline.channels[channel])),
    legend(simulated),
  );
}

function head(timeline: ConnectionTimeline): HTMLElement {
  const { offsetMs, rttMs, pinned } = timeline.clock;
  const clock = pinned ? `server clock pinned (${offsetMs.toFixed(1)} ms)` : `server clock ± ${(rttMs / 2).toFixed(1)} ms`;
  const line = textElement('div', 'timeline-head', `connection timeline · ms since joining · ${clock} · ${TIMELINE_KEY.toUpperCase()} hides`);
  line.title =
    'The server’s steps are placed on this page’s clock with the clock offset the pings measured (server time + half the round trip); pinned: known exactly, page and server on one machine.';
  return line;
}

/** Every attempt and mark on one axis since joining, then the newest marks in words. */
function marksStrip(timeline: ConnectionTimeline): HTMLElement {
  const strip = textElement('div', 'timeline-strip', '');
  const starts = CHANNEL_NAMES.flatMap((c) => timeline.channels[c].map((a) => ({ channel: c, atMs: firstStart(a) }))).filter((s) => s.atMs !== null);
  const endMs = Math.max(1, ...starts.map((s) => s.atMs!), ...timeline.events.map((e) => e.atMs)) * 1.05;
  for (const start of starts) strip.append(tick(`tick attempt-${start.channel}`, start.atMs! / endMs, `${start.channel} attempt at ${seconds(start.atMs!)}`));
  for (const event of timeline.events)
    strip.append(tick(`tick mark mark-${event.kind}`, event.atMs / endMs, `${event.kind} at ${seconds(event.atMs)}: ${event.detail}`));
  const box = textElement('div', 'timeline-marks', '');
  box.append(strip);
  for (const event of timeline.events.slice(-MARKS_LISTED)) {
    const line = textElement('div', `mark-line mark-${event.kind}`, `${seconds(event.atMs)} ${event.kind} · ${event.detail}`);
    line.title = `${event.channel}: ${event.detail}`;
    box.append(line);
  }
  return box;
}

function tick(className: string, fraction: number, title: string): HTMLElement {
  const mark = textElement('i', className, '');
  mark.style.left = `${(fraction * 100).toFixed(2)}%`;
  mark.title = title;
  return mark;
}

function lane(channel: ChannelName, attempts: TimelineAttempt[]): HTMLElement {
  const box = textElement('section', `timeline-lane lane-${channel}`, '');
  box.dataset.channel = channel;
  box.append(textElement('div', 'lane-name', channel === 'stream' ? 'stream · TCP + WebSocket' : 'datagram · UDP + ICE, DTLS, SCTP'));
  if (attempts.length === 0) box.append(textElement('div', 'attempt-head', 'no attempt yet'));
  const older = attempts.slice(0, -ATTEMPTS_DRAWN);
  for (const attempt of older) box.append(textElement('div', 'attempt-head older', attemptTitle(attempt)));
  for (const attempt of attempts.slice(-ATTEMPTS_DRAWN)) box.append(waterfall(attempt));
  return box;
}

/**
 * Steps that run on long after the connection is made (the close, geckos'
 * candidate polls for ~10 s) would squeeze the rest into slivers: the axis
 * leaves them out, and their bars run off its end.
 */
const OFF_AXIS = new Set(['closed', 'signaling-candidates']);

/** One attempt: a bar per step, on an axis from its first step's start to the end of its setup. */
function waterfall(attempt: TimelineAttempt): HTMLElement {
  const box = textElement('div', 'attempt', '');
  box.append(textElement('div', 'attempt-head', attemptTitle(attempt)));
  const placed = attempt.steps.filter((s) => s.startMs !== null);
  const onAxis = placed.some((s) => !OFF_AXIS.has(s.id)) ? placed.filter((s) => !OFF_AXIS.has(s.id)) : placed;
  const from = Math.min(...placed.map((s) => s.startMs!));
  const to = Math.max(...onAxis.map((s) => s.endMs!));
  const span = Math.max(1, to - from);
  for (const step of attempt.steps) box.append(row(step, from, span));
  return box;
}

function row(step: TimelineStep, from: number, span: number): HTMLElement {
  const meaning = STEP_MEANINGS[`${step.side}:${step.id}`];
  const line = textElement('div', `step side-${step.side} quality-${step.quality}`, '');
  line.dataset.step = `${step.side}:${step.id}`;
  const label = textElement('span', 'step-label', meaning?.label ?? step.id);
  label.append(textElement('small', 'step-call', step.seedCall));
  const track = textElement('span', 'step-track', '');
  const duration = textElement('span', 'step-ms', step.durationMs === null ? 'n/a' : `${step.durationMs.toFixed(step.durationMs < 10 ? 1 : 0)} ms`);
  if (step.startMs !== null && step.endMs !== null) {
    const bar = textElement('i', 'step-bar', '');
    const left = ((step.startMs - from) / span) * 100;
    bar.style.left = `${Math.min(99, left).toFixed(2)}%`;
    bar.style.width = `${Math.min(100 - Math.min(99, left), Math.max(0.6, ((step.endMs - step.startMs) / span) * 100)).toFixed(2)}%`;
    track.append(bar);
  } else track.textContent = 'not observable here';
  line.append(label, track, duration);
  const when = step.startMs === null ? '' : `\n${step.startMs} → ${step.endMs} ms since joining`;
  line.title = `${meaning?.label ?? step.id} (${step.side})\nsocket call: ${step.seedCall}${when}\n${step.quality}: ${step.source}${step.detail ? `\n${step.detail}` : ''}`;
  return line;
}

function legend(simulated: boolean): HTMLElement {
  const box = textElement('div', 'timeline-legend', '');
  const swatch = (className: string, text: string, title: string) => {
    const item = textElement('span', `legend-item ${className}`, text);
    item.title = title;
    return item;
  };
  box.append(
    swatch('side-page', 'page', 'Measured on this page’s clock: events of its sockets and peer connection, Resource Timing.'),
    ' ',
    swatch('side-server', 'server', 'Measured by the server on its clock and sent over the stream; placed here with the clock offset.'),
    ' ',
    swatch('quality-approximate', 'approximate', 'One end inferred from a neighbouring step; the hover says which.'),
    ' ',
    swatch('quality-unavailable', 'unavailable', 'This WebRTC stack cannot observe the step: shown, never invented.'),
  );
  const note = textElement(
    'div',
    simulated ? 'timeline-note active' : 'timeline-note',
    'The simulated network acts above the socket: it shows in hello → welcome and the first messages, never in TCP connect, the upgrade, ICE, DTLS or SCTP.',
  );
  box.append(note);
  return box;
}

function attemptTitle(attempt: TimelineAttempt): string {
  const start = firstStart(attempt);
  return `#${attempt.n} ${attempt.reason} · ${attempt.outcome}${start === null ? '' : ` · at ${seconds(start)}`}`;
}

function firstStart(attempt: TimelineAttempt): number | null {
  const starts = attempt.steps.map((s) => s.startMs).filter((s): s is number => s !== null);
  return starts.length ? Math.min(...starts) : null;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
