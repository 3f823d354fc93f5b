// @colyseus/schema: change tracking plus its own delta encoding; each patch
// holds only the fields that changed since the previous patch. That makes it
// need a reliable, ordered channel (a lost patch would desynchronise the
// client), so it is measured with every patch delivered. Positions use its
// 16-bit `quantized` type — its most compact choice, finer than ours.
import { Decoder, Encoder, schema, t, type SchemaType } from '@colyseus/schema';
import { ARENA_HEIGHT_PX, ARENA_WIDTH_PX } from '../../../protocol/constants.ts';
import type { CodecEntry } from '../codec.ts';

const Entity = schema(
  {
    kind: t.uint8(),
    x: t.quantized({ min: 0, max: ARENA_WIDTH_PX }),
    y: t.quantized({ min: 0, max: ARENA_HEIGHT_PX }),
  },
  'Entity',
);
type Entity = SchemaType<typeof Entity>;
const World = schema({ tick: t.uint32(), entities: t.map(Entity) }, 'World');

export const colyseusCodec: CodecEntry = {
  name: '@colyseus/schema',
  reliableOnly: true,
  create: () => {
    const server = new World();
    const encoder = new Encoder(server);
    const client = new World();
    const decoder = new Decoder(client);
    let first = true;
    return {
      encode: (step) => {
        server.tick = step.tick;
        const present = new Set<string>();
        for (const e of step.entities) {
          const key = String(e.id);
          present.add(key);
          let entity = server.entities.get(key);
          if (!entity) {
            entity = new Entity() as Entity;
            entity.kind = e.kind;
            server.entities.set(key, entity);
          }
          entity.x = e.x;
          entity.y = e.y;
        }
        for (const key of [...server.entities.keys()]) if (!present.has(key)) server.entities.delete(key);
        // The first message is the full state; after that, patches.
        const bytes = first ? encoder.encodeAll() : encoder.encode();
        first = false;
        const copy = bytes.slice(); // the encoder reuses its buffer
        encoder.discardChanges();
        return copy;
      },
      decode: (message) => {
        decoder.decode(message as Uint8Array);
        const positions = new Map<number, { x: number; y: number }>();
        client.entities.forEach((e: Entity, key: string) => {
          positions.set(Number(key), { x: e.x, y: e.y });
        });
        return positions;
      },
    };
  },
};
