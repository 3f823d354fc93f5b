// Draws the arena from the client game's picture each render frame and reads the
// movement keys. It owns neither the network nor the rules: it reads a
// picture and hands back the keys held (game-view.ts, ArenaSource).
import Phaser from 'phaser';
import {
  ARENA_HEIGHT_PX,
  ARENA_WIDTH_PX,
  COIN_RADIUS_PX,
  ENTITY_KIND_COIN,
  ENTITY_KIND_NPC,
  NPC_RADIUS_PX,
  PLAYER_RADIUS_PX,
} from '../../protocol/constants.ts';
import type { ArenaSource, DrawnEntity } from '../game-view.ts';
import { fitArena, type ArenaFit } from '../play/arena-fit.ts';
import { NO_KEYS } from '../play/keys.ts';
import { ARENA_SCENE } from './scene-keys.ts';

const GHOST_LABEL_COLOR = '#ff8a65';
const COLORS = {
  floor: 0x151a2b,
  grid: 0x1f2640,
  wall: 0x3a4470,
  own: 0x2ee6a6,
  player: 0x5b9dff,
  npc: 0xc05bff,
  coin: 0xffd966,
  ghost: 0xff8a65,
};
const GRID_PX = 100;
/** Space between the arena's wall and the edge of its region of the page. */
const EDGE_MARGIN_PX = 4;
const WORLD = { width: ARENA_WIDTH_PX, height: ARENA_HEIGHT_PX };
const LABEL_FONT_PX = 16;
/** On a small screen the arena is scaled down; names and outlines keep at least this size on screen. */
const MIN_LABEL_SCREEN_PX = 11;
const MIN_GHOST_STROKE_SCREEN_PX = 2;

interface Sprite {
  body: Phaser.GameObjects.Arc;
  label?: Phaser.GameObjects.Text;
  /** Ghost labels sit below the circle, so they never cover their solid's label above it. */
  labelBelow?: boolean;
}

type MoveKeys = Record<'W' | 'A' | 'S' | 'D', Phaser.Input.Keyboard.Key>;

export class ArenaScene extends Phaser.Scene {
  private source!: ArenaSource;
  private cursors!: Phaser.Types.Input.Keyboard.CursorKeys;
  private wasd!: MoveKeys;
  private readonly sprites = new Map<number, Sprite>();
  private readonly ghosts = new Map<number, Sprite>();
  /** Compare mode: a line from each solid to its ghost, so the stream's lag reads as a distance. */
  private tethers!: Phaser.GameObjects.Graphics;
  private fit: ArenaFit = fitArena({ width: 1, height: 1 }, WORLD, EDGE_MARGIN_PX);
  /** While the chat input has focus, movement keys belong to it. */
  keysEnabled = true;

  constructor() {
    super(ARENA_SCENE);
  }

  init(data: { source: ArenaSource }) {
    this.source = data.source;
  }

  create() {
    this.drawFloor();
    this.tethers = this.add.graphics().setDepth(3);
    const keyboard = this.input.keyboard!;
    this.cursors = keyboard.createCursorKeys();
    this.wasd = keyboard.addKeys('W,A,S,D') as MoveKeys;
    this.fitArena();
    this.scale.on('resize', this.fitArena, this);
    this.events.once(Phaser.Scenes.Events.SHUTDOWN, () => this.scale.off('resize', this.fitArena, this));
  }

  override update(time: number) {
    const started = performance.now();
    this.source.setKeys(this.keysEnabled ? this.heldKeys() : NO_KEYS);
    const picture = this.source.picture(time);
    this.sync(this.sprites, picture.entities, (entity) => this.createSprite(entity));
    this.sync(this.ghosts, picture.ghosts, (entity) => this.createGhost(entity));
    this.drawTethers(picture.entities, picture.ghosts);
    // Our share of the frame (the renderer's is not in it): see bench/render.
    this.source.recordFrame(this.game.loop.actualFps, performance.now() - started);
  }

  /** Where the arena is drawn, in CSS pixels of the canvas. */
  get arenaOnCanvas(): ArenaFit {
    return this.fit;
  }

  /** Stops reading keys (and releases any held) while the player types. */
  setKeysEnabled(enabled: boolean) {
    this.keysEnabled = enabled;
    const keyboard = this.input.keyboard!;
    keyboard.enabled = enabled;
    if (enabled) keyboard.enableGlobalCapture();
    else keyboard.disableGlobalCapture().resetKeys();
  }

  private heldKeys() {
    return {
      up: this.cursors.up.isDown || this.wasd.W.isDown,
      down: this.cursors.down.isDown || this.wasd.S.isDown,
      left: this.cursors.left.isDown || this.wasd.A.isDown,
      right: this.cursors.right.isDown || this.wasd.D.isDown,
    };
  }

  /** Creates, moves and removes game objects so they match `entities`. */
  private sync(sprites: Map<number, Sprite>, entities: DrawnEntity[], create: (e: DrawnEntity) => Sprite) {
    const seen = new Set<number>();
    for (const entity of entities) {
      seen.add(entity.id);
      let sprite = sprites.get(entity.id);
      if (!sprite) {
        sprite = create(entity);
        sprites.set(entity.id, sprite);
      }
      sprite.body.setPosition(entity.x, entity.y);
      if (sprite.label) {
        if (entity.name && sprite.label.text !== entity.name) sprite.label.setText(entity.name);
        const offset = sprite.body.radius + 4;
        sprite.label.setPosition(entity.x, sprite.labelBelow ? entity.y + offset : entity.y - offset);
      }
    }
    for (const [id, sprite] of sprites) {
      if (seen.has(id)) continue;
      sprite.body.destroy();
      sprite.label?.destroy();
      sprites.delete(id);
    }
  }

  private createSprite(entity: DrawnEntity): Sprite {
    if (entity.kind === ENTITY_KIND_COIN) {
      return { body: this.add.circle(0, 0, COIN_RADIUS_PX, COLORS.coin).setStrokeStyle(2, 0xb8860b).setDepth(1) };
    }
    if (entity.kind === ENTITY_KIND_NPC) {
      return { body: this.add.circle(0, 0, NPC_RADIUS_PX, COLORS.npc, 0.85).setDepth(2) };
    }
    const own = entity.own === true;
    const body = this.add
      .circle(0, 0, PLAYER_RADIUS_PX, own ? COLORS.own : COLORS.player)
      .setStrokeStyle(own ? 4 : 2, 0xffffff)
      .setDepth(own ? 5 : 4);
    return { body, label: this.nameLabel(entity.name ?? '', own) };
  }

  /** A stream ghost: the solid's outline in the ghost colour, with the same label. */
  private createGhost(entity: DrawnEntity): Sprite {
    const radius = entity.kind === ENTITY_KIND_NPC ? NPC_RADIUS_PX : PLAYER_RADIUS_PX;
    const body = this.add.circle(0, 0, radius).setStrokeStyle(this.ghostStrokePx(), COLORS.ghost).setDepth(3);
    if (!entity.name) return { body };
    return { body, label: this.nameLabel(entity.name, false, GHOST_LABEL_COLOR).setOrigin(0.5, 0).setAlpha(0.85), labelBelow: true };
  }

  private drawTethers(solids: DrawnEntity[], ghosts: DrawnEntity[]) {
    const g = this.tethers.clear();
    if (ghosts.length === 0) return;
    const solidById = new Map(solids.map((e) => [e.id, e]));
    g.lineStyle(this.ghostStrokePx(), COLORS.ghost, 0.6);
    for (const ghost of ghosts) {
      const solid = solidById.get(ghost.id);
      if (solid) g.lineBetween(solid.x, solid.y, ghost.x, ghost.y);
    }
  }

  private nameLabel(name: string, own: boolean, color = own ? '#2ee6a6' : '#ffffff') {
    return this.add
      .text(0, 0, name, {
        fontFamily: 'system-ui, sans-serif',
        fontSize: `${LABEL_FONT_PX}px`,
        color,
        stroke: '#000000',
        strokeThickness: 3,
      })
      .setOrigin(0.5, 1)
      .setScale(this.labelScale())
      .setDepth(6);
  }

  private drawFloor() {
    const g = this.add.graphics().setDepth(0);
    g.fillStyle(COLORS.floor).fillRect(0, 0, ARENA_WIDTH_PX, ARENA_HEIGHT_PX);
    g.lineStyle(1, COLORS.grid);
    for (let x = GRID_PX; x < ARENA_WIDTH_PX; x += GRID_PX) g.lineBetween(x, 0, x, ARENA_HEIGHT_PX);
    for (let y = GRID_PX; y < ARENA_HEIGHT_PX; y += GRID_PX) g.lineBetween(0, y, ARENA_WIDTH_PX, y);
    g.lineStyle(4, COLORS.wall).strokeRect(0, 0, ARENA_WIDTH_PX, ARENA_HEIGHT_PX);
  }

  /** Scales the whole arena into the canvas, which the page layout keeps clear of every panel. */
  private fitArena() {
    this.fit = fitArena({ width: this.scale.width, height: this.scale.height }, WORLD, EDGE_MARGIN_PX);
    this.cameras.main.setZoom(this.fit.zoom).centerOn(ARENA_WIDTH_PX / 2, ARENA_HEIGHT_PX / 2);
    for (const sprite of [...this.sprites.values(), ...this.ghosts.values()]) sprite.label?.setScale(this.labelScale());
    for (const ghost of this.ghosts.values()) ghost.body.setStrokeStyle(this.ghostStrokePx(), COLORS.ghost);
  }

  /** World-size multiplier that keeps a name at least MIN_LABEL_SCREEN_PX tall on screen. */
  private labelScale(): number {
    return Math.max(1, MIN_LABEL_SCREEN_PX / (LABEL_FONT_PX * this.fit.zoom));
  }

  private ghostStrokePx(): number {
    return Math.max(2, MIN_GHOST_STROKE_SCREEN_PX / this.fit.zoom);
  }
}
