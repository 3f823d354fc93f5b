// A net graph in the spirit of Source's `net_graph`, drawn over the arena in
// screen space: for each channel a scrolling strip of the latest position
// updates (green on time, yellow late, red lost; bar height is the update's
// age), and the numbers behind it. G shows and hides it.
import Phaser from 'phaser';
import { NET_GRAPH_UPDATES } from '../../protocol/constants.ts';
import type { UpdateMark } from '../../protocol/stats.ts';
import type { GameSession } from '../game-session.ts';
import type { ChannelName } from '../net/net-client.ts';
import { NET_GRAPH_SCENE } from './scene-keys.ts';

export const NET_GRAPH_KEY = 'G';
const WIDTH_PX = 330;
const STRIP_HEIGHT_PX = 36;
const BAR_WIDTH_PX = WIDTH_PX / NET_GRAPH_UPDATES;
/** An update this old fills the strip's height. */
const FULL_SCALE_AGE_MS = 400;
const TEXT_REFRESH_MS = 250;
const COLORS = { 'on-time': 0x6fdc8c, late: 0xf5c542, lost: 0xff5c5c, grid: 0x2a2f45, panel: 0x0d0f17 };
const CHANNELS: ChannelName[] = ['datagram', 'stream'];
/** Two lines of numbers above each strip. */
const LABEL_HEIGHT_PX = 30;
const ROW_HEIGHT_PX = LABEL_HEIGHT_PX + STRIP_HEIGHT_PX + 8;

export class NetGraphScene extends Phaser.Scene {
  private session!: GameSession;
  private graphics!: Phaser.GameObjects.Graphics;
  private readonly labels = new Map<ChannelName, Phaser.GameObjects.Text>();
  private header!: Phaser.GameObjects.Text;
  private lastTextAtMs = 0;

  constructor() {
    super(NET_GRAPH_SCENE);
  }

  init(data: { session: GameSession }) {
    this.session = data.session;
  }

  create() {
    this.graphics = this.add.graphics();
    const style = { fontFamily: 'ui-monospace, Menlo, Consolas, monospace', fontSize: '11px', color: '#c8cde0' };
    this.header = this.add.text(0, 0, '', style);
    for (const channel of CHANNELS) this.labels.set(channel, this.add.text(0, 0, '', style));
    this.input.keyboard!.on(`keydown-${NET_GRAPH_KEY}`, (event: KeyboardEvent) => {
      if (!(event.target instanceof HTMLInputElement)) this.cameras.main.setVisible(!this.cameras.main.visible);
    });
  }

  override update(time: number) {
    const left = this.scale.width - WIDTH_PX - 16;
    const top = this.scale.height - (CHANNELS.length * ROW_HEIGHT_PX + 28);
    const g = this.graphics.clear();
    g.fillStyle(COLORS.panel, 0.82).fillRoundedRect(left - 8, top - 8, WIDTH_PX + 16, CHANNELS.length * ROW_HEIGHT_PX + 30, 6);
    const refreshText = time - this.lastTextAtMs > TEXT_REFRESH_MS;
    if (refreshText) {
      this.lastTextAtMs = time;
      const { path } = this.session.settings;
      this.header.setText(`net graph · ${Math.round(this.session.fps)} fps · positions: ${path} · ${NET_GRAPH_KEY} hides`);
    }
    this.header.setPosition(left, top);
    CHANNELS.forEach((channel, row) => {
      const y = top + 18 + row * ROW_HEIGHT_PX;
      this.drawStrip(g, this.session.net.stats[channel].history(), left, y + LABEL_HEIGHT_PX);
      const label = this.labels.get(channel)!.setPosition(left, y);
      if (refreshText) label.setText(this.describe(channel));
    });
  }

  /** One bar per update: height = age (capped), colour = outcome; lost updates are full-height red. */
  private drawStrip(g: Phaser.GameObjects.Graphics, history: UpdateMark[], left: number, top: number) {
    g.lineStyle(1, COLORS.grid).strokeRect(left, top, WIDTH_PX, STRIP_HEIGHT_PX);
    const shown = history.slice(-NET_GRAPH_UPDATES);
    shown.forEach((mark, i) => {
      const height = mark.outcome === 'lost' ? STRIP_HEIGHT_PX : Math.max(2, Math.min(1, mark.ageMs / FULL_SCALE_AGE_MS) * STRIP_HEIGHT_PX);
      const x = left + (NET_GRAPH_UPDATES - shown.length + i) * BAR_WIDTH_PX;
      g.fillStyle(COLORS[mark.outcome]).fillRect(x, top + STRIP_HEIGHT_PX - height, Math.max(1, BAR_WIDTH_PX - 1), height);
    });
  }

  private describe(channel: ChannelName): string {
    const s = this.session.net.channelStatus(channel);
    return [
      `${channel.padEnd(8)} ${s.state.padEnd(9)} age p50 ${s.ageP50Ms.toFixed(0)} p95 ${s.ageP95Ms.toFixed(0)} ms  rtt ${s.rttMs.toFixed(0)} ms`,
      `loss ${s.lossPct.toFixed(1)}%  ooo ${s.outOfOrder}  late ${s.late}  ${s.kbpsIn.toFixed(0)}↓ ${s.kbpsOut.toFixed(0)}↑ kbit/s`,
    ].join('\n');
  }
}
