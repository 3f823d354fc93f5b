// A net graph in the spirit of Source's `net_graph`, beside the arena: for
// each channel a scrolling strip of the latest position updates (green on
// time, yellow late, red lost; bar height is the update's age) and the
// figures behind it, each over the window it names. A legend under the
// strips, and hover text on every figure, say what the colours and
// abbreviations mean. G shows and hides it.
import { NET_GRAPH_UPDATES, STATS_RECENT_WINDOW_MS } from '../../protocol/constants.ts';
import { CHANNEL_NAMES, type ChannelName, type GameStatus, type NetGraphSource, type UpdateMark } from '../game-view.ts';
import { byId, textElement } from './dom.ts';
import { kernelLossLine } from './hud.ts';

export const NET_GRAPH_KEY = 'g';
const STRIP_WIDTH_PX = 380;
const STRIP_HEIGHT_PX = 20;
/** An update this old fills the strip's height. */
const FULL_SCALE_AGE_MS = 400;
const TEXT_REFRESH_MS = 250;
const COLORS = { 'on-time': '#6fdc8c', late: '#f5c542', lost: '#ff5c5c', grid: '#2a2f45' } as const;

/** A figure with its explanation as hover text. */
function figure(text: string, title: string): HTMLSpanElement {
  const span = textElement('span', 'figure', text);
  span.title = title;
  return span;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 && ms % 1000 !== 0 ? 1 : 0)} s`;

export function createNetGraph(source: NetGraphSource, isTyping: () => boolean): void {
  const root = byId('net-graph');
  const head = byId('net-graph-head');
  const rows = new Map<ChannelName, { text: HTMLElement; canvas: HTMLCanvasElement }>();
  for (const channel of CHANNEL_NAMES) {
    const row = textElement('div', 'net-graph-row', '');
    const text = textElement('div', 'net-graph-text', '');
    const canvas = document.createElement('canvas');
    canvas.width = STRIP_WIDTH_PX * devicePixelRatio;
    canvas.height = STRIP_HEIGHT_PX * devicePixelRatio;
    canvas.style.width = `${STRIP_WIDTH_PX}px`;
    canvas.style.height = `${STRIP_HEIGHT_PX}px`;
    canvas.dataset.channel = channel;
    row.append(text, canvas);
    rows.set(channel, { text, canvas });
  }
  byId('net-graph-rows').replaceChildren(...CHANNEL_NAMES.map((c) => rows.get(c)!.text.parentElement!));
  renderLegend(byId('net-graph-legend'));
  root.hidden = false;

  window.addEventListener('keydown', (event) => {
    if (event.key.toLowerCase() !== NET_GRAPH_KEY || isTyping() || event.target instanceof HTMLInputElement) return;
    root.hidden = !root.hidden;
  });

  let lastTextAtMs = -Infinity;
  const draw = (nowMs: number) => {
    requestAnimationFrame(draw);
    if (root.hidden) return;
    for (const channel of CHANNEL_NAMES) drawStrip(rows.get(channel)!.canvas, source.updateHistory(channel));
    if (nowMs - lastTextAtMs < TEXT_REFRESH_MS) return;
    lastTextAtMs = nowMs;
    const status = source.status();
    const windowMs = status.channels.datagram.recent.windowMs;
    const since = windowMs < STATS_RECENT_WINDOW_MS ? ` (since the settings changed)` : '';
    head.replaceChildren(
      'net graph · ',
      figure(`figures: last ${seconds(windowMs)}${since}`, 'Every figure below covers this window; it starts again when you change the network or the path.'),
      ` · ${NET_GRAPH_KEY.toUpperCase()} hides`,
      ...(status.kernelLossPct > 0 ? [document.createElement('br'), textElement('span', 'kernel-loss', kernelLossLine(status))] : []),
    );
    for (const channel of CHANNEL_NAMES) describe(rows.get(channel)!.text, channel, status);
  };
  requestAnimationFrame(draw);
}

/** The two lines of figures for one channel. */
function describe(target: HTMLElement, channel: ChannelName, status: GameStatus) {
  const c = status.channels[channel];
  const r = c.recent;
  const delay = status.settings.interpDelayMs;
  target.replaceChildren(
    textElement('b', '', channel.padEnd(9)),
    `${c.state} · `,
    figure(`rtt ${r.rttMs.toFixed(0)} ms`, 'Round-trip time of heartbeat pings on this channel (median).'),
    ' · ',
    figure(`${r.kbpsIn.toFixed(0)}↓ ${r.kbpsOut.toFixed(0)}↑ kbit/s`, 'Bandwidth received (↓) and sent (↑) on this channel.'),
    document.createElement('br'),
    figure(`age p50 ${r.ageP50Ms.toFixed(0)} p95 ${r.ageP95Ms.toFixed(0)} ms`, 'How old a position update was when it arrived: median and 95th percentile.'),
    ' · ',
    figure(`loss ${r.lossPct.toFixed(1)} %`, 'Updates that never arrived, of all the server sent.'),
    ' · ',
    figure(`ooo ${r.outOfOrder}`, 'Out of order: updates that arrived after a newer one.'),
    ' · ',
    figure(`late ${r.late}`, `Late: updates older than the interpolation delay (${delay} ms) when they arrived, too late for their place in the animation.`),
  );
}

/** One bar per update: height = age (capped), colour = outcome; lost updates are full-height red. */
function drawStrip(canvas: HTMLCanvasElement, history: UpdateMark[]) {
  const context = canvas.getContext('2d');
  if (!context) return;
  const scale = canvas.width / STRIP_WIDTH_PX;
  context.setTransform(scale, 0, 0, scale, 0, 0);
  context.clearRect(0, 0, STRIP_WIDTH_PX, STRIP_HEIGHT_PX);
  context.strokeStyle = COLORS.grid;
  context.strokeRect(0.5, 0.5, STRIP_WIDTH_PX - 1, STRIP_HEIGHT_PX - 1);
  const barWidth = STRIP_WIDTH_PX / NET_GRAPH_UPDATES;
  const shown = history.slice(-NET_GRAPH_UPDATES);
  shown.forEach((mark, i) => {
    const height = mark.outcome === 'lost' ? STRIP_HEIGHT_PX : Math.max(2, Math.min(1, mark.ageMs / FULL_SCALE_AGE_MS) * STRIP_HEIGHT_PX);
    const x = (NET_GRAPH_UPDATES - shown.length + i) * barWidth;
    context.fillStyle = COLORS[mark.outcome];
    context.fillRect(x, STRIP_HEIGHT_PX - height, Math.max(1, barWidth - 1), height);
  });
}

/** What the colours, the bar heights and the abbreviations mean. */
function renderLegend(target: HTMLElement) {
  const swatch = (outcome: keyof typeof COLORS, label: string, title: string) => {
    const item = figure(label, title);
    item.prepend(Object.assign(textElement('i', 'swatch', ''), { style: `background:${COLORS[outcome]}` }));
    return item;
  };
  target.replaceChildren(
    swatch('on-time', 'on time', 'Arrived in time for its place in the animation.'),
    ' ',
    swatch('late', 'late', 'Arrived older than the interpolation delay, or after a newer update.'),
    ' ',
    swatch('lost', 'lost', 'Never arrived.'),
    ` · height = age (top ${FULL_SCALE_AGE_MS} ms)`,
  );
}
