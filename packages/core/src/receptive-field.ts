import { Tape, type Var } from './autograd.js';
import { ArgumentError } from './errors.js';
import { kindOf } from './layer-kinds.js';
import type { Layer } from './layers.js';
import type { SequentialModel } from './model.js';
import { assertNCHW, type Tensor } from './tensor.js';

/** Rows y0..y1 and columns x0..x1, all inclusive. */
export interface Region {
  y0: number;
  y1: number;
  x0: number;
  x1: number;
}

/** A unit of a layer: spatial (`y`, `x`) for conv and pool outputs, `index` after flatten. */
export type UnitPosition = { y: number; x: number; channel?: number } | { index: number };

/** The part of the input one unit can see, and how it got there. */
export interface ReceptiveField {
  layer: string;
  /** The input pixels the unit depends on: clipped at every border it crossed. */
  region: Region;
  /** The field before clipping (it may reach into the padding outside the image). */
  theoretical: Region;
  /** Height and width of the theoretical field. */
  size: [number, number];
  /** Pixels per channel in `region`. */
  pixels: number;
  /**
   * The region in every spatial activation from the unit's own down to `input`, keyed as in
   * `forwardAll`: the beams of the receptive-field figure.
   */
  path: { activation: string; region: Region }[];
}

// What one layer's output interval [a, b] needs of its input along one axis: the kind's window
// rule, or the same interval for element-wise layers.
/** Whether index v lies outside 0 .. n - 1 (NaN does not: callers check integers apart). */
const outside = (v: number, n: number): boolean => v < 0 || v >= n;

function back(layer: Layer, axis: 0 | 1, a: number, b: number, inExtent: number): [number, number] {
  return kindOf(layer).receptiveField?.back(layer, axis, a, b, inExtent) ?? [a, b];
}

function backTheoretical(layer: Layer, axis: 0 | 1, a: number, b: number): [number, number] {
  return kindOf(layer).receptiveField?.theoretical(layer, axis, a, b) ?? [a, b];
}

/**
 * Traces one unit of any layer back to the input through the whole stack: kernel sizes,
 * strides, padding and pooling windows included. `region` is clipped at the image border
 * (padding holds no input); `theoretical` is the textbook size. A unit after `flatten` sees
 * the whole image.
 *
 * @example
 * // conv 3x3 then max pool 2x2: one pooled pixel sees 4x4 = 16 input pixels (the lecture's count)
 * receptiveField(net, 'pool1', { y: 5, x: 5 }).pixels; // 16
 */
export function receptiveField(
  model: SequentialModel,
  layerName: string,
  unit: UnitPosition,
): ReceptiveField {
  const li = model.indexOf(layerName);
  const layer = model.layers[li]!;
  const name = (i: number): string => (i < 0 ? 'input' : model.layers[i]!.name);
  let i = li;
  let yr: [number, number];
  let xr: [number, number];
  let ty: [number, number];
  let tx: [number, number];
  const path: { activation: string; region: Region }[] = [];
  if (layer.outputShape.length === 3) {
    const [, h, w] = layer.outputShape as [number, number, number];
    if (
      !('y' in unit) ||
      !Number.isInteger(unit.y) ||
      !Number.isInteger(unit.x) ||
      outside(unit.y, h) ||
      outside(unit.x, w)
    ) {
      throw new ArgumentError(
        'receptiveField',
        `unit ${JSON.stringify(unit)} is outside layer "${layerName}" (${h}x${w}); give { y, x }`,
      );
    }
    yr = [unit.y, unit.y];
    xr = [unit.x, unit.x];
  } else {
    // Past flatten every unit sees all of flatten's input: start from there.
    const features = layer.outputShape[0]!;
    if (!('index' in unit) || !Number.isInteger(unit.index) || outside(unit.index, features)) {
      throw new ArgumentError(
        'receptiveField',
        `unit ${JSON.stringify(unit)} is outside layer "${layerName}" (${features} features); give { index }`,
      );
    }
    while (i >= 0 && model.layers[i]!.inputShape.length !== 3) i--;
    if (i < 0) {
      // A model with no spatial input: the unit sees every feature.
      const n = model.inputShape[0]! - 1;
      const r = { y0: 0, y1: 0, x0: 0, x1: n };
      return {
        layer: layerName,
        region: r,
        theoretical: r,
        size: [1, n + 1],
        pixels: n + 1,
        path: [],
      };
    }
    const [, h, w] = model.layers[i]!.inputShape as [number, number, number];
    yr = [0, h - 1];
    xr = [0, w - 1];
    i--;
  }
  ty = [...yr];
  tx = [...xr];
  path.push({ activation: name(i), region: { y0: yr[0], y1: yr[1], x0: xr[0], x1: xr[1] } });
  for (; i >= 0; i--) {
    const l = model.layers[i]!;
    const [, h, w] = l.inputShape as [number, number, number];
    const ny = back(l, 0, yr[0], yr[1], h);
    const nx = back(l, 1, xr[0], xr[1], w);
    yr = [Math.max(0, ny[0]), Math.min(h - 1, ny[1])];
    xr = [Math.max(0, nx[0]), Math.min(w - 1, nx[1])];
    ty = backTheoretical(l, 0, ty[0], ty[1]);
    tx = backTheoretical(l, 1, tx[0], tx[1]);
    path.push({ activation: name(i - 1), region: { y0: yr[0], y1: yr[1], x0: xr[0], x1: xr[1] } });
  }
  return {
    layer: layerName,
    region: { y0: yr[0], y1: yr[1], x0: xr[0], x1: xr[1] },
    theoretical: { y0: ty[0], y1: ty[1], x0: tx[0], x1: tx[1] },
    size: [ty[1] - ty[0] + 1, tx[1] - tx[0] + 1],
    pixels: (yr[1] - yr[0] + 1) * (xr[1] - xr[0] + 1),
    path,
  };
}

/** What {@link contributions} returns. */
export interface Contributions {
  /** The unit's value on this input. */
  value: number;
  /** d value / d input, [C, H, W]. */
  gradient: Tensor;
  /** Per pixel, summed over channels: gradient * input, [H, W]. Zero outside the receptive field. */
  map: Tensor;
  /** value - sum(map): the part owed to biases rather than to any pixel. */
  rest: number;
  /**
   * True when every layer up to the unit is piecewise linear (conv, relu, pools, flatten,
   * linear): then value = sum(map) + rest holds exactly and `rest` is the biases' share.
   * False past a softmax, where the map is a first-order (gradient x input) attribution.
   */
  exact: boolean;
}

/**
 * Each input pixel's contribution to one unit, for one example of `input` ([1, C, H, W]).
 *
 * @example
 * const c = contributions(net, digit, 'conv2', { channel: 0, y: 4, x: 4 });
 * c.map; // [28, 28]: how much each pixel pushed this unit up or down
 */
export function contributions(
  model: SequentialModel,
  input: Tensor,
  layerName: string,
  unit: { channel: number; y: number; x: number } | { index: number },
): Contributions {
  const [n, c, h, w] = assertNCHW('contributions', input);
  if (n !== 1)
    throw new ArgumentError(
      'contributions',
      `takes one example ([1, C, H, W]), received a batch of ${n}`,
    );
  const li = model.indexOf(layerName);
  const tape = new Tape();
  const x = tape.variable(input, true);
  const out: Var = model.forwardOnTape(tape, x, new Map(), li);
  const shape = out.value.shape;
  const outsideLayer = () =>
    new ArgumentError(
      'contributions',
      `unit ${JSON.stringify(unit)} is outside layer "${layerName}" [${shape.join(', ')}]`,
    );
  let flat: number;
  if ('index' in unit) {
    flat = unit.index;
    if (shape.length !== 2 || !Number.isInteger(flat) || outside(flat, shape[1]!)) {
      throw outsideLayer();
    }
  } else {
    const [, oc, oh, ow] = shape as [number, number, number, number];
    if (
      shape.length !== 4 ||
      outside(unit.channel, oc) ||
      outside(unit.y, oh) ||
      outside(unit.x, ow)
    ) {
      throw outsideLayer();
    }
    flat = (unit.channel * oh + unit.y) * ow + unit.x;
  }
  const seed = new Float32Array(out.value.data.length);
  seed[flat] = 1;
  tape.backward(out, { shape: [...shape], data: seed });
  const grad = x.grad?.data ?? new Float32Array(input.data.length);
  const map = new Float32Array(h * w);
  let total = 0;
  for (let ch = 0; ch < c; ch++) {
    for (let p = 0; p < h * w; p++) {
      const v = grad[ch * h * w + p]! * input.data[ch * h * w + p]!;
      map[p]! += v;
      total += v;
    }
  }
  const value = out.value.data[flat]!;
  const exact = model.layers.slice(0, li + 1).every((l) => !kindOf(l).probabilities);
  return {
    value,
    gradient: { shape: [c, h, w], data: grad },
    map: { shape: [h, w], data: map },
    rest: value - total,
    exact,
  };
}
