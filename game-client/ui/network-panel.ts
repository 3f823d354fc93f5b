// The network panel (lil-gui): presets and sliders for the simulated network,
// the position path, and the lag-hiding switches. N shows and hides it. Every
// change is mirrored into the address bar, so a setup can be shared as a link.
import GUI, { type Controller } from 'lil-gui';
import { CONDITION_LIMITS, MAX_INTERP_DELAY_MS } from '../../protocol/constants.ts';
import type { SettingsSource } from '../game-view.ts';
import { PRESET_NAMES, presetOf, settingsToQuery, withPreset, type ClientSettings, type PresetName } from '../play/settings.ts';
import { mirrorSettings } from './address-bar.ts';
import { byId } from './dom.ts';

export const NETWORK_PANEL_KEY = 'n';
/** Below this viewport size the panel starts folded, so the arena keeps most of a small screen. */
const FOLD_BELOW = { width: 1100, height: 700 };

export function createNetworkPanel(game: SettingsSource, isTyping: () => boolean): void {
  const gui = new GUI({ container: byId('network-panel'), title: `Network  (${NETWORK_PANEL_KEY.toUpperCase()} hides)`, width: 260 });
  // The page gives the open panel a column of its own, beside the arena; folded, it needs only its corner.
  const page = byId('page');
  const placePanel = () => {
    page.classList.toggle('panel-open', !gui._closed && !gui._hidden);
    page.classList.toggle('panel-hidden', gui._hidden);
  };
  gui.onOpenClose(placePanel);
  if (innerWidth < FOLD_BELOW.width || innerHeight < FOLD_BELOW.height) gui.close();
  placePanel();
  // lil-gui edits this object; every change goes to the game from here.
  const model: ClientSettings & { preset: PresetName } = { ...game.settings, preset: presetOf(game.settings) };

  const apply = (changes: Partial<ClientSettings>) => {
    game.update(changes);
    Object.assign(model, game.settings, { preset: presetOf(game.settings) });
    for (const controller of gui.controllersRecursive()) controller.updateDisplay();
    mirrorSettings(settingsToQuery(game.settings));
    // A clicked checkbox or menu would keep the keyboard, and the arrow keys
    // would flip it instead of moving the player: hand focus back to the game.
    const focused = document.activeElement;
    if (focused instanceof HTMLSelectElement || (focused instanceof HTMLInputElement && focused.type === 'checkbox')) focused.blur();
  };
  const named = (controller: Controller, id: string) => {
    controller.domElement.dataset.setting = id; // a stable handle for tests and stylesheets
    return controller;
  };

  const network = gui.addFolder('Simulated network (both directions)');
  named(network.add(model, 'preset', [...PRESET_NAMES]), 'preset').onChange((preset: PresetName) => {
    if (preset !== 'custom') apply(withPreset(game.settings, preset));
  });
  // onFinishChange: a dragged slider sends one settings message, not sixty.
  named(network.add(model, 'loss', 0, CONDITION_LIMITS.lossPct, 1).name('loss %'), 'loss').onFinishChange((loss: number) => apply({ loss }));
  named(network.add(model, 'latency', 0, CONDITION_LIMITS.latencyMs, 5).name('latency ms (one way)'), 'latency').onFinishChange((latency: number) =>
    apply({ latency }),
  );
  named(network.add(model, 'jitter', 0, CONDITION_LIMITS.jitterMs, 1).name('jitter ± ms'), 'jitter').onFinishChange((jitter: number) => apply({ jitter }));
  named(network.add(model, 'duplicate', 0, CONDITION_LIMITS.duplicatePct, 0.5).name('duplicate %'), 'duplicate').onFinishChange((duplicate: number) =>
    apply({ duplicate }),
  );

  const positions = gui.addFolder('Positions travel over');
  named(positions.add(model, 'path', ['datagram', 'stream', 'compare']).name('path'), 'path').onChange((path: ClientSettings['path']) => apply({ path }));

  const hiding = gui.addFolder('Lag hiding');
  named(hiding.add(model, 'prediction'), 'prediction').onChange((prediction: boolean) => apply({ prediction }));
  named(hiding.add(model, 'reconciliation'), 'reconciliation').onChange((reconciliation: boolean) => apply({ reconciliation }));
  named(hiding.add(model, 'interpolation'), 'interpolation').onChange((interpolation: boolean) => apply({ interpolation }));
  named(hiding.add(model, 'interpDelayMs', 0, MAX_INTERP_DELAY_MS, 10).name('interp. delay ms'), 'interpDelayMs').onFinishChange((interpDelayMs: number) =>
    apply({ interpDelayMs }),
  );

  // Keys typed into the panel's fields belong to them, not to the game or the chat box.
  for (const type of ['keydown', 'keyup'] as const) byId('network-panel').addEventListener(type, (event) => event.stopPropagation());
  window.addEventListener('keydown', (event) => {
    if (event.key.toLowerCase() !== NETWORK_PANEL_KEY || isTyping() || event.target instanceof HTMLInputElement) return;
    gui.show(gui._hidden);
    placePanel();
  });
  mirrorSettings(settingsToQuery(game.settings));
}
