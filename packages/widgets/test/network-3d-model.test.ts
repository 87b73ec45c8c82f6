/**
 * `<rf-network-3d>`'s model (network-3d-model.ts) on the shipped lesson CNN, read from its real
 * .onnx file and run by @receptive/core: which layers it draws and how, a picked unit's value
 * and receptive field, the unit check and the sentence, and render3d's one key map walking the
 * drawn layers.
 */
import { readFileSync } from 'node:fs';
import { receptiveField, type SequentialModel, tensor } from '@receptive/core';
import { modelUrl } from '@receptive/models';
import { fromOnnx } from '@receptive/onnx';
import { cursorKey } from '@receptive/render3d';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkNetworkUnit,
  type DrawnLayer,
  fitsNetwork,
  type NetworkRun,
  pickChanged,
  pickedText,
  pickUnit,
  viewLayers,
} from '../src/network-3d-model.ts';
import { WidgetValueError } from '../src/props.ts';

let model: SequentialModel;
let run: NetworkRun;
let drawn: DrawnLayer[];

/** A 28 x 28 "1": a vertical stroke, ink 1 on paper 0. */
function one(): Float32Array {
  const px = new Float32Array(28 * 28);
  for (let y = 4; y < 24; y++) for (let x = 13; x < 16; x++) px[y * 28 + x] = 1;
  return px;
}

beforeAll(() => {
  model = fromOnnx(new Uint8Array(readFileSync(modelUrl('cnn'))));
  const pixels = one();
  const { activations } = model.forwardAll(tensor(pixels, [1, 1, 28, 28]));
  run = {
    pixels,
    activations: Object.fromEntries(
      Object.entries(activations).map(([name, t]) => [
        name,
        { dims: [...t.shape], data: Float32Array.from(t.data) },
      ]),
    ),
  };
  const layers = viewLayers(model, run);
  if (typeof layers === 'string') throw new Error(layers);
  drawn = layers.map((l) => l.drawn);
});

describe('viewLayers', () => {
  it('draws the input and every layer but flatten, by the kind its core descriptor gives', () => {
    expect(drawn.map((l) => `${l.name} ${l.kind} ${l.channels}x${l.rows}x${l.columns}`)).toEqual([
      'input input 1x28x28',
      'conv1 conv 12x26x26',
      'relu1 conv 12x26x26',
      'pool1 pool 12x13x13',
      'conv2 conv 20x11x11',
      'relu2 conv 20x11x11',
      'pool2 pool 20x5x5',
      'logits dense 1x10x1',
      'probs softmax 1x10x1',
    ]);
    const layers = viewLayers(model, run) as Exclude<ReturnType<typeof viewLayers>, string>;
    expect(layers.find((l) => l.view.name === 'probs')!.view.shape).toEqual([10]);
    expect(layers.find((l) => l.view.name === 'pool1')!.view.shape).toEqual([12, 13, 13]);
  });

  it('says what is missing instead of drawing a partial network', () => {
    const { pool2: _, ...rest } = run.activations;
    expect(viewLayers(model, { ...run, activations: rest })).toBe(
      "The comparison's run has no output named “pool2”.",
    );
    expect(viewLayers(model, { ...run, pixels: new Float32Array(10) })).toBe(
      'The digit has 10 values, expected 1 × 28 × 28.',
    );
  });
});

describe('pickUnit', () => {
  it('reads the unit’s value and traces its receptive field with the core', () => {
    const pool1 = drawn.find((l) => l.name === 'pool1')!;
    const unit = { layer: 'pool1', channel: 2, y: 6, x: 7 };
    const { picked, path } = pickUnit(model, pool1, unit);
    const f = receptiveField(model, 'pool1', { y: 6, x: 7 });
    expect(picked.value).toBe(run.activations['pool1']!.data[(2 * 13 + 6) * 13 + 7]);
    expect(picked.field).toEqual({ region: f.region, size: f.size, pixels: f.pixels });
    expect(picked.field.size).toEqual([4, 4]);
    expect(path.at(-1)!.activation).toBe('input');
  });

  it('reads a softmax unit as a row, and an input unit as the one pixel it is', () => {
    const probs = drawn.find((l) => l.name === 'probs')!;
    const { picked } = pickUnit(model, probs, { layer: 'probs', channel: 0, y: 1, x: 0 });
    expect(picked.value).toBe(run.activations['probs']!.data[1]);
    expect(picked.field.region).toEqual(receptiveField(model, 'probs', { index: 1 }).region);
    // The whole digit but its last two rows and columns, which pool2's floor never reads.
    expect(picked.field.region).toEqual({ y0: 0, y1: 25, x0: 0, x1: 25 });
    const input = drawn[0]!;
    const at = pickUnit(model, input, { layer: 'input', channel: 0, y: 5, x: 14 });
    expect(at.picked.value).toBe(1);
    expect(at.picked.field).toEqual({
      region: { y0: 5, y1: 5, x0: 14, x1: 14 },
      size: [1, 1],
      pixels: 1,
    });
    expect(pickedText(at.picked)).toBe(
      'input, channel 1, row 6, column 15: 1; it is pixel row 6, column 15 of the digit.',
    );
  });

  it('says a unit and its field counted from 1', () => {
    const conv2 = drawn.find((l) => l.name === 'conv2')!;
    const { picked } = pickUnit(model, conv2, { layer: 'conv2', channel: 0, y: 0, x: 0 });
    expect(pickedText(picked)).toMatch(
      /^conv2, channel 1, row 1, column 1: −?[\d.]+; its receptive field is 8 × 8 pixels: rows 1–8 and columns 1–8 of the digit \(64 pixels\)\.$/,
    );
    expect(pickedText(null)).toMatch(/^Pick a unit/);
    expect(pickChanged(null, picked)).toBe(true);
    expect(pickChanged(picked, { ...picked })).toBe(false);
    expect(pickChanged(picked, { ...picked, value: picked.value + 1 })).toBe(true);
  });
});

describe('checkNetworkUnit', () => {
  it('rejects a unit outside the drawn layers in "received X, expected Y" words', () => {
    expect(fitsNetwork({ layer: 'pool2', channel: 19, y: 4, x: 4 }, drawn)).toBe(true);
    expect(() =>
      checkNetworkUnit('rf-network-3d', { layer: 'pool9', channel: 0, y: 0, x: 0 }, drawn),
    ).toThrow(WidgetValueError);
    expect(() =>
      checkNetworkUnit('rf-network-3d', { layer: 'pool2', channel: 20, y: 0, x: 0 }, drawn),
    ).toThrow(/expected a channel below 20, a row below 5 and a column below 5 in pool2/);
    expect(fitsNetwork({ layer: 'probs', channel: 0, y: 10, x: 0 }, drawn)).toBe(false);
  });
});

describe('the unit cursor over the drawn layers', () => {
  it('walks from a map to the next at the same place, and down the dense column', () => {
    expect(cursorKey('.', { layer: 'relu1', channel: 5, y: 20, x: 2 }, drawn)).toEqual({
      kind: 'move',
      unit: { layer: 'pool1', channel: 5, y: 10, x: 1 },
      layerChanged: true,
    });
    expect(cursorKey('.', { layer: 'pool2', channel: 9, y: 4, x: 0 }, drawn)).toEqual({
      kind: 'move',
      unit: { layer: 'logits', channel: 0, y: 9, x: 0 },
      layerChanged: true,
    });
    expect(cursorKey('ArrowDown', { layer: 'probs', channel: 0, y: 9, x: 0 }, drawn)).toEqual({
      kind: 'move',
      unit: { layer: 'probs', channel: 0, y: 9, x: 0 },
      layerChanged: false,
    });
  });
});
