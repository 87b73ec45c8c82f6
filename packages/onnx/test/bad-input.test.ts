import { createRng, ReceptiveError } from '@receptive/core';
import { describe, expect, it } from 'vitest';
import { fromOnnx, OnnxFormatError, toOnnx, UnsupportedOnnxError } from '../src/index.js';
import { AttrType, DataType, decodeModel, encodeModel, type ModelMsg } from '../src/proto.js';
import { lessonCnn, oddNet } from './models.js';

const good = toOnnx(lessonCnn());

/** Reads bytes and reports how it ended: a model, or the class of the error it threw. */
function outcome(bytes: Uint8Array): string {
  try {
    fromOnnx(bytes);
    return 'model';
  } catch (err) {
    if (err instanceof ReceptiveError) return err.name;
    throw err;
  }
}

describe('fromOnnx on bad bytes', () => {
  it('names an empty file and non-bytes', () => {
    expect(() => fromOnnx(new Uint8Array())).toThrow(OnnxFormatError);
    expect(() => fromOnnx(new Uint8Array())).toThrow(/the file is empty/);
    expect(() => fromOnnx('model.onnx' as unknown as Uint8Array)).toThrow(
      /expected the file's bytes as a Uint8Array, received \[object String\]/,
    );
  });

  it('says a text file or a PNG is not ONNX', () => {
    expect(() => fromOnnx(new TextEncoder().encode('<html>404 Not Found</html>'))).toThrow(
      OnnxFormatError,
    );
    const png = Uint8Array.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
    ]);
    expect(() => fromOnnx(png)).toThrow(OnnxFormatError);
  });

  it('rejects every truncation of a real model with a typed error', () => {
    const seen = new Set<string>();
    for (let cut = 1; cut < good.length; cut += Math.max(1, Math.floor(good.length / 400))) {
      const result = outcome(good.subarray(0, cut));
      expect(result, `truncated at ${cut} of ${good.length} bytes`).not.toBe('model');
      seen.add(result);
    }
    expect(seen.has('OnnxFormatError')).toBe(true);
  });

  it('survives 2,000 corruptions (byte flips, random files) with a model or a typed error', () => {
    const rng = createRng(7);
    for (let trial = 0; trial < 1000; trial++) {
      const bytes = good.slice();
      const flips = 1 + rng.int(8);
      for (let f = 0; f < flips; f++) bytes[rng.int(bytes.length)] = rng.int(256);
      expect(() => outcome(bytes), `flip trial ${trial}`).not.toThrow();
    }
    for (let trial = 0; trial < 1000; trial++) {
      const bytes = new Uint8Array(1 + rng.int(2048));
      for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
      expect(outcome(bytes), `random trial ${trial}`).not.toBe('model');
    }
  });

  it('catches a weight whose byte count disagrees with its shape', () => {
    const msg = decodeModel(good);
    const init = msg.graph!.initializer![0]!;
    init.rawData = init.rawData!.subarray(0, init.rawData!.length - 4);
    expect(() => fromOnnx(encodeModel(msg))).toThrow(
      /initializer "conv1.weight" holds 284 bytes, expected 288 for shape \[8, 1, 3, 3\]/,
    );
  });
});

/** A model with the given nodes between input [N,1,8,8] and whatever they output. */
function graphOf(nodes: { op: string; attrs?: ModelMsg['graph'] }[] | string[]): Uint8Array {
  const ops = nodes as string[];
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      node: ops.map((op, i) => ({
        name: `n${i}`,
        opType: op,
        input: [i === 0 ? 'x' : `n${i - 1}`],
        output: [`n${i}`],
      })),
      input: [
        {
          name: 'x',
          type: {
            tensorType: {
              elemType: DataType.FLOAT,
              shape: {
                dim: [{ dimParam: 'N' }, { dimValue: 1 }, { dimValue: 8 }, { dimValue: 8 }],
              },
            },
          },
        },
      ],
      output: [{ name: `n${ops.length - 1}` }],
    },
  });
}

describe('fromOnnx on models it cannot express', () => {
  it('lists every unsupported operator by name in one error', () => {
    const bytes = graphOf(['Relu', 'Tanh', 'LSTM', 'Tanh', 'Sigmoid']);
    expect(() => fromOnnx(bytes)).toThrow(UnsupportedOnnxError);
    try {
      fromOnnx(bytes);
    } catch (err) {
      expect((err as UnsupportedOnnxError).ops).toEqual(['Tanh', 'LSTM', 'Sigmoid']);
      expect((err as Error).message).toMatch(
        /unsupported ONNX operators: Tanh at node "n1" \(2 of 5\), LSTM at node "n2" \(3 of 5\), Sigmoid at node "n4" \(5 of 5\) \(supported: Conv, Relu, MaxPool/,
      );
    }
  });

  it('refuses a graph that branches', () => {
    const msg = decodeModel(graphOf(['Relu', 'Relu']));
    msg.graph!.node![1]!.input = ['x'];
    expect(() => fromOnnx(encodeModel(msg))).toThrow(
      /Relu at node "n1" \(2 of 2\) reads "x" rather than "n0": only a single chain/,
    );
  });

  it('refuses settings a core layer has no form for', () => {
    const pool = decodeModel(graphOf(['MaxPool']));
    pool.graph!.node![0]!.attribute = [
      { name: 'kernel_shape', type: AttrType.INTS, ints: [2, 2] },
      { name: 'pads', type: AttrType.INTS, ints: [0, 0, 1, 1] },
    ];
    expect(() => fromOnnx(encodeModel(pool))).toThrow(
      /MaxPool at node "n0" \(1 of 1\) pads \[0, 0, 1, 1\] unevenly/,
    );
    pool.graph!.node![0]!.attribute = [
      { name: 'kernel_shape', type: AttrType.INTS, ints: [2, 2] },
      { name: 'ceil_mode', type: AttrType.INT, i: 1 },
    ];
    expect(() => fromOnnx(encodeModel(pool))).toThrow(/ceil_mode=1/);
  });

  it('refuses a grouped convolution that is not BlurPool', () => {
    const msg = decodeModel(toOnnx(oddNet()));
    const blurConv = msg.graph!.node!.find((n) =>
      n.attribute?.some((a) => a.name === 'group' && (a.i ?? 1) > 1),
    )!;
    const blur = msg.graph!.initializer!.find((t) => t.name === blurConv.input![1])!;
    const view = new DataView(blur.rawData!.buffer, blur.rawData!.byteOffset);
    view.setFloat32(0, 0.5, true);
    expect(() => fromOnnx(encodeModel(msg))).toThrow(
      /Conv at node "blurpool1" \(\d+ of \d+\) is grouped \(group=6\), which is not supported/,
    );
  });
});
