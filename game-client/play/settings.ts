// The player's settings: the simulated network, the position path and the
// lag-hiding switches. Pure: read from the URL, matched against presets,
// turned back into a shareable query string.
import { CONDITION_LIMITS, DEFAULT_INTERP_DELAY_MS, MAX_INTERP_DELAY_MS, NETWORK_PRESETS } from '../../protocol/constants.ts';
import type { NetworkConditions } from '../../protocol/netsim/conditioner.ts';
import { positionPathSchema, type PositionPath } from '../../protocol/wire/stream.ts';

export type PresetName = keyof typeof NETWORK_PRESETS | 'custom';
export const PRESET_NAMES = [...(Object.keys(NETWORK_PRESETS) as (keyof typeof NETWORK_PRESETS)[]), 'custom'] as const;

export interface ClientSettings {
  /** Loss %, one-way latency and jitter (ms), duplication %: both directions. */
  loss: number;
  latency: number;
  jitter: number;
  duplicate: number;
  path: PositionPath;
  prediction: boolean;
  reconciliation: boolean;
  interpolation: boolean;
  interpDelayMs: number;
}

export const DEFAULT_SETTINGS: ClientSettings = {
  loss: 0,
  latency: 0,
  jitter: 0,
  duplicate: 0,
  path: 'datagram',
  prediction: true,
  reconciliation: true,
  interpolation: true,
  interpDelayMs: DEFAULT_INTERP_DELAY_MS,
};

const clamp = (value: number, max: number) => Math.max(0, Math.min(max, value));

export function conditionsOf(settings: ClientSettings): NetworkConditions {
  return { lossPct: settings.loss, latencyMs: settings.latency, jitterMs: settings.jitter, duplicatePct: settings.duplicate };
}

/** The settings with a preset's network applied. */
export function withPreset(settings: ClientSettings, preset: keyof typeof NETWORK_PRESETS): ClientSettings {
  const p = NETWORK_PRESETS[preset];
  return { ...settings, loss: p.lossPct, latency: p.latencyMs, jitter: p.jitterMs, duplicate: p.duplicatePct };
}

/** The preset whose network these settings match exactly, else 'custom'. */
export function presetOf(settings: ClientSettings): PresetName {
  const found = (Object.keys(NETWORK_PRESETS) as (keyof typeof NETWORK_PRESETS)[]).find((name) => {
    const p = NETWORK_PRESETS[name];
    return p.lossPct === settings.loss && p.latencyMs === settings.latency && p.jitterMs === settings.jitter && p.duplicatePct === settings.duplicate;
  });
  return found ?? 'custom';
}

/**
 * Reads `?preset=&loss=&latency=&jitter=&dup=&path=&prediction=&reconciliation=&interpolation=&delay=`.
 * Unknown or malformed values are ignored; numbers are clamped to their limits.
 */
export function settingsFromQuery(query: URLSearchParams, base: ClientSettings = DEFAULT_SETTINGS): ClientSettings {
  let settings = { ...base };
  const preset = query.get('preset');
  if (preset && preset in NETWORK_PRESETS) settings = withPreset(settings, preset as keyof typeof NETWORK_PRESETS);
  const number = (key: string, max: number, fallback: number) => {
    const raw = query.get(key);
    const value = raw === null || raw.trim() === '' ? Number.NaN : Number(raw);
    return Number.isFinite(value) ? clamp(value, max) : fallback;
  };
  const flag = (key: string, fallback: boolean) => {
    const raw = query.get(key);
    return raw === null ? fallback : !['0', 'false', 'off', 'no'].includes(raw.toLowerCase());
  };
  const path = positionPathSchema.safeParse(query.get('path'));
  return {
    loss: number('loss', CONDITION_LIMITS.lossPct, settings.loss),
    latency: number('latency', CONDITION_LIMITS.latencyMs, settings.latency),
    jitter: number('jitter', CONDITION_LIMITS.jitterMs, settings.jitter),
    duplicate: number('dup', CONDITION_LIMITS.duplicatePct, settings.duplicate),
    path: path.success ? path.data : settings.path,
    prediction: flag('prediction', settings.prediction),
    reconciliation: flag('reconciliation', settings.reconciliation),
    interpolation: flag('interpolation', settings.interpolation),
    interpDelayMs: number('delay', MAX_INTERP_DELAY_MS, settings.interpDelayMs),
  };
}

/** The query string that reproduces these settings (only what differs from the defaults). */
export function settingsToQuery(settings: ClientSettings): URLSearchParams {
  const query = new URLSearchParams();
  const keys: [keyof ClientSettings, string][] = [
    ['loss', 'loss'],
    ['latency', 'latency'],
    ['jitter', 'jitter'],
    ['duplicate', 'dup'],
    ['path', 'path'],
    ['prediction', 'prediction'],
    ['reconciliation', 'reconciliation'],
    ['interpolation', 'interpolation'],
    ['interpDelayMs', 'delay'],
  ];
  for (const [key, param] of keys) {
    const value = settings[key];
    if (value !== DEFAULT_SETTINGS[key]) query.set(param, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
  return query;
}
