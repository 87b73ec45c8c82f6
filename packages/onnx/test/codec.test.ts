import protobuf from 'protobufjs/light.js';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../src/codec.js';
import { toOnnx } from '../src/index.js';
import { ONNX_SCHEMA } from '../src/onnx-schema.js';
import { lessonCnn, oddNet } from './models.js';

// protobufjs, which the codec replaces in the browser (it compiles code with `new Function`), is
// the reference: the same objects from the same bytes, the same bytes from the same objects.
const ModelProto = protobuf.Root.fromJSON(ONNX_SCHEMA as unknown as protobuf.INamespace).lookupType(
  'onnx.ModelProto',
);

const reference = (bytes: Uint8Array) =>
  ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, arrays: true, defaults: false });

/** Plain data to compare: byte fields as plain arrays (protobufjs hands Buffers in Node). */
const plain = (o: unknown) =>
  JSON.parse(
    JSON.stringify(o, (_, v) =>
      v instanceof Uint8Array ? Array.from(v) : v?.type === 'Buffer' ? v.data : v,
    ),
  );

describe('the schema-driven protobuf codec', () => {
  for (const [name, model] of [
    ['the lesson CNN', lessonCnn()],
    ['a net with every setting', oddNet()],
  ] as const) {
    it(`reads and writes ${name} as protobufjs does`, () => {
      const bytes = toOnnx(model);
      const mine = decodeMessage('ModelProto', bytes);
      expect(plain(mine)).toEqual(plain(reference(bytes)));
      const theirs = ModelProto.encode(ModelProto.fromObject(reference(bytes))).finish();
      expect(Array.from(encodeMessage('ModelProto', mine))).toEqual(Array.from(theirs));
      expect(Array.from(encodeMessage('ModelProto', mine))).toEqual(Array.from(bytes));
    });
  }

  it('writes fields set to their defaults as protobufjs does, and reads them as absent', () => {
    const msg = {
      docString: '',
      opsetImport: [{ domain: '', version: 17 }],
      graph: { node: [{ attribute: [{ name: 'count_include_pad', type: 2, i: 0 }] }] },
    };
    const bytes = encodeMessage('ModelProto', msg);
    expect(Array.from(bytes)).toEqual(
      Array.from(ModelProto.encode(ModelProto.fromObject(msg)).finish()),
    );
    expect(plain(decodeMessage('ModelProto', bytes))).toEqual(plain(reference(bytes)));
  });

  it('writes negative 64-bit integers as ten-byte varints and reads them back', () => {
    const msg = { graph: { node: [{ attribute: [{ name: 'axis', type: 2, i: -1 }] }] } };
    const bytes = encodeMessage('ModelProto', msg);
    expect(Array.from(bytes)).toEqual(
      Array.from(ModelProto.encode(ModelProto.fromObject(msg)).finish()),
    );
    const back = decodeMessage('ModelProto', bytes) as typeof msg;
    expect(back.graph.node[0]!.attribute[0]!.i).toBe(-1);
  });

  it('names the field whose value has the wrong type', () => {
    expect(() => encodeMessage('ModelProto', { graph: { name: 3 } })).toThrow(
      'ModelProto.graph.name: string expected',
    );
  });

  it('throws on bytes cut short', () => {
    const bytes = toOnnx(lessonCnn());
    expect(() => decodeMessage('ModelProto', bytes.subarray(0, 100))).toThrow(/out of range/);
  });
});
