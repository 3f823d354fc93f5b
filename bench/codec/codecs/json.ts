// JSON text, as many geckos.io examples send snapshots: every entity, every time.
import type { CodecEntry } from '../codec.ts';

export const jsonCodec: CodecEntry = {
  name: 'JSON',
  reliableOnly: false,
  create: () => ({
    encode: (step) => JSON.stringify({ tick: step.tick, time: step.serverTimeMs, entities: step.entities }),
    decode: (message) => {
      const parsed = JSON.parse(message as string) as { entities: { id: number; x: number; y: number }[] };
      return new Map(parsed.entities.map((e) => [e.id, { x: e.x, y: e.y }]));
    },
  }),
};
