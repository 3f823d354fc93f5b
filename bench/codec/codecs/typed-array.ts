// @geckos.io/typed-array-buffer-schema: a binary schema, full state every
// time. Positions as uint16 in 0.1 px steps, the precision its README's
// `digits: 1` gives. The scaling is done here rather than with `digits`:
// in 1.2.1 every fromBuffer() after the first divides `digits` fields once
// more (1564.2 comes back as 156.4), and toBuffer() multiplies them inside
// the object it is given.
import { BufferSchema, Model, uint8, uint16, uint32 } from '@geckos.io/typed-array-buffer-schema';
import type { CodecEntry } from '../codec.ts';

const STEPS_PER_PX = 10;

const entitySchema = BufferSchema.schema('entity', { id: uint16, kind: uint8, x: uint16, y: uint16 });
const snapshotSchema = BufferSchema.schema('snapshot', { tick: uint32, time: uint32, entities: [entitySchema] });

export const typedArrayCodec: CodecEntry = {
  name: 'typed-array-buffer-schema',
  reliableOnly: false,
  create: () => {
    const model = new Model(snapshotSchema, 64);
    return {
      encode: (step) =>
        new Uint8Array(
          model.toBuffer({
            tick: step.tick,
            time: step.serverTimeMs,
            entities: step.entities.map((e) => ({
              id: e.id,
              kind: e.kind,
              x: Math.round(e.x * STEPS_PER_PX),
              y: Math.round(e.y * STEPS_PER_PX),
            })),
          }),
        ),
      decode: (message) => {
        const bytes = message as Uint8Array;
        const state = model.fromBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer) as {
          entities: { id: number; x: number; y: number }[];
        };
        return new Map(state.entities.map((e) => [e.id, { x: e.x / STEPS_PER_PX, y: e.y / STEPS_PER_PX }]));
      },
    };
  },
};
