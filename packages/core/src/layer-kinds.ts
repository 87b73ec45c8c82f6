import type { Tape, Var } from './autograd.js';
import { ArgumentError, ShapeError } from './errors.js';
import {
  type ConvExplanation,
  explainAvgPool2d,
  explainConv2d,
  explainMaxPool2d,
  type PoolExplanation,
  type UnitIndex,
} from './explain.js';
import type { Layer, LayerSpec } from './layers.js';
import { avgPool2d } from './ops/avg-pool2d.js';
import { binomialFilter, blurPool2d } from './ops/blur-pool2d.js';
import { conv2d } from './ops/conv2d.js';
import { flatten } from './ops/flatten.js';
import { linear } from './ops/linear.js';
import { maxPool2d } from './ops/max-pool2d.js';
import { relu } from './ops/relu.js';
import { logSoftmax, softmax } from './ops/softmax.js';
import type { createRng } from './random.js';
import { assertFinite, sizeOf, type Tensor } from './tensor.js';

/**
 * How a figure draws a layer: a stack of feature maps (`conv`, `pool`, `activation` on a
 * spatial map), a vector (`dense`, `activation` on features), bars (`softmax`) or the image.
 */
export type DisplayKind = 'input' | 'conv' | 'pool' | 'activation' | 'dense' | 'softmax';

/** The layer of kind `K`, e.g. `LayerOf<'conv2d'>` is `Conv2dLayer`. */
export type LayerOf<K extends Layer['kind']> = Extract<Layer, { kind: K }>;

/** The spec of kind `K` (some specs, such as the pools', cover two kinds). */
export type SpecOf<K extends Layer['kind']> = LayerSpec extends infer S
  ? S extends { kind: infer SK }
    ? K extends SK
      ? Omit<S, 'kind'> & { kind: K }
      : never
    : never
  : never;

/** What {@link LayerKind.build} gets besides its spec: the input and the tools to check it. */
export interface BuildContext {
  /** `sequential: layer "conv1" (conv2d)`, the op named by every error. */
  op: string;
  /** The layer's name (given, or the kind's prefix and a count). */
  name: string;
  /** Shape of one example entering the layer: a fresh array the layer keeps. */
  inputShape: number[];
  /** The input as [C, H, W]; throws a ShapeError when it is not spatial. */
  spatial(): [number, number, number];
  /** Seeded generator of the weight init. */
  rng: ReturnType<typeof createRng>;
}

/** What one output interval [a, b] along an axis needs of the layer's input. */
export interface ReceptiveFieldRule<L> {
  /** The input rows (or columns) the outputs a..b read, within an input `inExtent` long. */
  back(layer: L, axis: 0 | 1, a: number, b: number, inExtent: number): [number, number];
  /** The same before clipping at any border: the textbook size. */
  theoretical(layer: L, axis: 0 | 1, a: number, b: number): [number, number];
}

/**
 * Everything the engine knows about one kind of layer, in one place: every switch over kinds
 * in core reads this table (and @receptive/onnx keeps its own table keyed by the same kinds,
 * since core may not depend on it). Adding a kind means adding its `Layer` / `LayerSpec` types
 * and constructor in layers.ts, its ops in `ops/`, and one entry in {@link LAYER_KINDS}.
 */
export interface LayerKind<K extends Layer['kind']> {
  kind: K;
  /** Default names are the prefix and a count per kind: `conv1`, `pool2`. */
  prefix: string;
  /** How figures draw this layer (`activation` and `dense` on a spatial map draw as maps). */
  display: DisplayKind;
  /** Whether the layer holds `weight` and `bias` tensors that training updates. */
  trainable: boolean;
  /**
   * Whether it turns scores into (log-)probabilities: training takes its loss from the scores
   * before it, and an attribution through it is first-order, not exact.
   */
  probabilities: boolean;
  /** The layer from its spec: checks the input, states the shape rule, initialises weights. */
  build(spec: SpecOf<K>, ctx: BuildContext): LayerOf<K>;
  /** Runs the layer on a batch [N, ...inputShape] through the checked reference ops. */
  forward(layer: LayerOf<K>, x: Tensor): Tensor;
  /** The same on a tape, so its backward is recorded; `p` maps a parameter to its variable. */
  forwardOnTape(tape: Tape, layer: LayerOf<K>, x: Var, p: (t: Tensor | null) => Var | null): Var;
  /** Multiply-adds and other operations (compares, exps, ...) of one example. */
  cost(layer: LayerOf<K>): { macs: number; other: number };
  /** How a unit's window maps back to the input; absent for element-wise layers. */
  receptiveField?: ReceptiveFieldRule<LayerOf<K>>;
  /** The numbers behind one output unit (see `explainUnit`); absent where there are none. */
  explain?(x: Tensor, layer: LayerOf<K>, unit: UnitIndex): ConvExplanation | PoolExplanation;
}

/**
 * The sliding-window shape rule: `out = floor((in + 2*pad - k) / stride) + 1`. The floor drops
 * the last rows a window would only half cover.
 */
function outSize(ctx: BuildContext, input: number, k: number, s: number, p: number): number {
  if (k > input + 2 * p) {
    throw new ShapeError(
      ctx.op,
      `input with room for a ${k}-wide window`,
      ctx.inputShape,
      `window ${k} > ${input} + 2*${p}`,
    );
  }
  return Math.floor((input + 2 * p - k) / s) + 1;
}

// Kaiming-uniform init (He et al. 2015) for ReLU nets: U(-sqrt(6 / fanIn), +sqrt(6 / fanIn)).
// Only uniform draws and sqrt (correctly rounded everywhere), so the bits are the same on every
// machine for a given seed.
function kaiming(shape: number[], fanIn: number, rng: ReturnType<typeof createRng>): Tensor {
  const limit = Math.sqrt(6 / fanIn);
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = (rng.uniform() * 2 - 1) * limit;
  return { shape, data };
}

function checkParam(op: string, t: Tensor, shape: number[], what: string): Tensor {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(op, `[${shape.join(', ')}] for the ${what}`, t.shape);
  }
  assertFinite(op, what, t.data);
  return t;
}

/** The given weight and bias, checked, or a seeded weight and zero bias. */
function parametersOf(
  spec: { useBias: boolean; weight?: Tensor; bias?: Tensor | null },
  ctx: BuildContext,
  wShape: number[],
  fanIn: number,
): { weight: Tensor; bias: Tensor | null } {
  const units = wShape[0]!;
  const weight = spec.weight
    ? checkParam(ctx.op, spec.weight, wShape, 'weight')
    : kaiming(wShape, fanIn, ctx.rng);
  const bias = !spec.useBias
    ? null
    : spec.bias
      ? checkParam(ctx.op, spec.bias, [units], 'bias')
      : { shape: [units], data: new Float32Array(units) };
  return { weight, bias };
}

type Windowed = LayerOf<'conv2d' | 'maxPool2d' | 'avgPool2d'>;

// A window of k with stride s and padding p: outputs a..b read inputs a*s - p .. b*s - p + k - 1.
const windowRule: ReceptiveFieldRule<Windowed> = {
  back(l, axis, a, b) {
    return this.theoretical(l, axis, a, b);
  },
  theoretical(l, axis, a, b) {
    const k = l.kernel[axis];
    const s = l.stride[axis];
    const p = l.padding[axis];
    return [a * s - p, b * s - p + k - 1];
  },
};

type PoolLayer = LayerOf<'maxPool2d' | 'avgPool2d'>;

// Max and average pooling: one window rule, shape rule and cost shape, two ops.
function pool<K extends 'maxPool2d' | 'avgPool2d'>(
  kind: K,
  prefix: string,
  op: (x: Tensor, l: PoolLayer) => Tensor,
  tapeOp: (tape: Tape, x: Var, l: PoolLayer) => Var,
  otherPerOutput: (window: number) => number,
  explain: (x: Tensor, l: PoolLayer, unit: UnitIndex) => PoolExplanation,
): LayerKind<K> {
  const d: LayerKind<'maxPool2d' | 'avgPool2d'> = {
    kind,
    prefix,
    display: 'pool',
    trainable: false,
    probabilities: false,
    build(spec, ctx) {
      const [c, h, w] = ctx.spatial();
      const { kernel, stride, padding } = spec as SpecOf<'maxPool2d'>;
      const outputShape = [
        c,
        outSize(ctx, h, kernel[0], stride[0], padding[0]),
        outSize(ctx, w, kernel[1], stride[1], padding[1]),
      ];
      return {
        kind,
        name: ctx.name,
        inputShape: ctx.inputShape,
        outputShape,
        kernel,
        stride,
        padding,
      } as PoolLayer;
    },
    forward: (l, x) => op(x, l),
    forwardOnTape: (tape, l, x) => tapeOp(tape, x, l),
    cost: (l) => ({
      macs: 0,
      other: sizeOf(l.outputShape) * otherPerOutput(l.kernel[0] * l.kernel[1]),
    }),
    receptiveField: windowRule,
    explain,
  };
  return d as unknown as LayerKind<K>;
}

// A layer with no hyperparameters that keeps its input's shape.
function elementwise<K extends 'relu' | 'softmax' | 'logSoftmax'>(
  kind: K,
  prefix: string,
  display: DisplayKind,
  op: (x: Tensor) => Tensor,
  tapeOp: (tape: Tape, x: Var) => Var,
  otherPerValue: number,
): LayerKind<K> {
  const d: LayerKind<'relu' | 'softmax' | 'logSoftmax'> = {
    kind,
    prefix,
    display,
    trainable: false,
    probabilities: display === 'softmax',
    build: (_spec, ctx) => ({
      kind,
      name: ctx.name,
      inputShape: ctx.inputShape,
      outputShape: [...ctx.inputShape],
    }),
    forward: (_l, x) => op(x),
    forwardOnTape: (tape, _l, x) => tapeOp(tape, x),
    cost: (l) => ({ macs: 0, other: otherPerValue * sizeOf(l.outputShape) }),
  };
  return d as unknown as LayerKind<K>;
}

/**
 * One descriptor per layer kind: shape rule, forward, forward on a tape (its backward), cost,
 * receptive-field rule, explainer and display kind. `sequential`, `applyLayer`, `flops`,
 * `receptiveField` and `explainUnit` read it instead of switching on `layer.kind`.
 *
 * @example
 * layerKind('maxPool2d').display; // 'pool'
 * Object.keys(LAYER_KINDS); // ['conv2d', 'relu', 'maxPool2d', ...]
 */
export const LAYER_KINDS: { readonly [K in Layer['kind']]: LayerKind<K> } = {
  conv2d: {
    kind: 'conv2d',
    prefix: 'conv',
    display: 'conv',
    trainable: true,
    probabilities: false,
    build(spec, ctx) {
      const [c, h, w] = ctx.spatial();
      const [kh, kw] = spec.kernel;
      const { weight, bias } = parametersOf(spec, ctx, [spec.filters, c, kh, kw], c * kh * kw);
      return {
        kind: 'conv2d',
        name: ctx.name,
        inputShape: ctx.inputShape,
        outputShape: [
          spec.filters,
          outSize(ctx, h, kh, spec.stride[0], spec.padding[0]),
          outSize(ctx, w, kw, spec.stride[1], spec.padding[1]),
        ],
        filters: spec.filters,
        kernel: spec.kernel,
        stride: spec.stride,
        padding: spec.padding,
        weight,
        bias,
      };
    },
    forward: (l, x) => conv2d(x, l.weight, l.bias, { stride: l.stride, padding: l.padding }),
    forwardOnTape: (tape, l, x, p) =>
      tape.conv2d(x, p(l.weight)!, p(l.bias), { stride: l.stride, padding: l.padding }),
    cost: (l) => ({ macs: sizeOf(l.outputShape) * sizeOf(l.weight.shape.slice(1)), other: 0 }),
    receptiveField: windowRule,
    explain: (x, l, unit) =>
      explainConv2d(x, l.weight, l.bias, { stride: l.stride, padding: l.padding }, unit),
  },
  relu: elementwise('relu', 'relu', 'activation', relu, (t, x) => t.relu(x), 1),
  maxPool2d: pool(
    'maxPool2d',
    'pool',
    maxPool2d,
    (t, x, l) => t.maxPool2d(x, l),
    (k) => k - 1,
    explainMaxPool2d,
  ),
  avgPool2d: pool(
    'avgPool2d',
    'avgpool',
    avgPool2d,
    (t, x, l) => t.avgPool2d(x, l),
    (k) => k,
    explainAvgPool2d,
  ),
  blurPool2d: {
    kind: 'blurPool2d',
    prefix: 'blurpool',
    display: 'pool',
    trainable: false,
    probabilities: false,
    build(spec, ctx) {
      const [c, h, w] = ctx.spatial();
      const p = (spec.filter - 1) / 2;
      const mh = outSize(ctx, h, spec.kernel, 1, 0);
      const mw = outSize(ctx, w, spec.kernel, 1, 0);
      return {
        kind: 'blurPool2d',
        name: ctx.name,
        inputShape: ctx.inputShape,
        outputShape: [
          c,
          outSize(ctx, mh, spec.filter, spec.stride, p),
          outSize(ctx, mw, spec.filter, spec.stride, p),
        ],
        kernel: spec.kernel,
        filter: spec.filter,
        stride: spec.stride,
      };
    },
    forward: (l, x) => blurPool2d(x, l),
    forwardOnTape: (tape, l, x) => tape.blurPool2d(x, l),
    cost(l) {
      const [c, h, w] = l.inputShape as [number, number, number];
      return {
        macs: sizeOf(l.outputShape) * l.filter * l.filter,
        other: c * (h - l.kernel + 1) * (w - l.kernel + 1) * (l.kernel * l.kernel - 1),
      };
    },
    receptiveField: {
      // Blur (stride, zero padding (f-1)/2) over the stride-1 max map, then the max window.
      back(l, _axis, a, b, inExtent) {
        const p = (l.filter - 1) / 2;
        const mExtent = inExtent - l.kernel + 1;
        const m0 = Math.max(0, a * l.stride - p);
        const m1 = Math.min(mExtent - 1, b * l.stride - p + l.filter - 1);
        return [m0, m1 + l.kernel - 1];
      },
      theoretical(l, _axis, a, b) {
        const p = (l.filter - 1) / 2;
        return [a * l.stride - p, b * l.stride - p + l.filter - 1 + l.kernel - 1];
      },
    },
    explain(x, l, unit) {
      const [n, c] = x.shape as [number, number];
      const m = maxPool2d(x, { kernel: l.kernel, stride: 1 });
      const [, , mh, mw] = m.shape as [number, number, number, number];
      const un = unit.n ?? 0;
      if (
        !Number.isInteger(un) ||
        un < 0 ||
        un >= n ||
        !Number.isInteger(unit.channel) ||
        unit.channel < 0 ||
        unit.channel >= c
      ) {
        throw new ArgumentError(
          'explainUnit',
          `unit n=${un}, channel=${unit.channel} outside [${n}, ${c}]`,
        );
      }
      const at = (un * c + unit.channel) * mh * mw;
      const plane = { shape: [1, 1, mh, mw], data: m.data.subarray(at, at + mh * mw) };
      const f = binomialFilter(l.filter);
      const e = explainConv2d(
        plane,
        { shape: [1, 1, l.filter, l.filter], data: f.data },
        null,
        { stride: l.stride, padding: (l.filter - 1) / 2 },
        { channel: 0, y: unit.y, x: unit.x },
      );
      return {
        ...e,
        op: 'blurPool2d',
        unit: { n: un, channel: unit.channel, y: unit.y, x: unit.x },
      };
    },
  },
  flatten: {
    kind: 'flatten',
    prefix: 'flatten',
    display: 'activation',
    trainable: false,
    probabilities: false,
    build: (_spec, ctx) => ({
      kind: 'flatten',
      name: ctx.name,
      inputShape: ctx.inputShape,
      outputShape: [sizeOf(ctx.inputShape)],
    }),
    forward: (_l, x) => flatten(x),
    forwardOnTape: (tape, _l, x) => tape.flatten(x),
    cost: () => ({ macs: 0, other: 0 }),
  },
  linear: {
    kind: 'linear',
    prefix: 'linear',
    display: 'dense',
    trainable: true,
    probabilities: false,
    build(spec, ctx) {
      if (ctx.inputShape.length !== 1) {
        throw new ShapeError(
          ctx.op,
          '[features] per example (add layers.flatten() first)',
          ctx.inputShape,
        );
      }
      const inF = ctx.inputShape[0]!;
      const { weight, bias } = parametersOf(spec, ctx, [spec.units, inF], inF);
      return {
        kind: 'linear',
        name: ctx.name,
        inputShape: ctx.inputShape,
        outputShape: [spec.units],
        units: spec.units,
        weight,
        bias,
      };
    },
    forward: (l, x) => linear(x, l.weight, l.bias),
    forwardOnTape: (tape, l, x, p) => tape.linear(x, p(l.weight)!, p(l.bias)),
    cost: (l) => ({ macs: sizeOf(l.outputShape) * l.weight.shape[1]!, other: 0 }),
  },
  // max, exp, sum and divide (or log) per element.
  softmax: elementwise('softmax', 'softmax', 'softmax', softmax, (t, x) => t.softmax(x), 4),
  logSoftmax: elementwise(
    'logSoftmax',
    'logsoftmax',
    'softmax',
    logSoftmax,
    (t, x) => t.logSoftmax(x),
    4,
  ),
};

/**
 * The descriptor of a kind, typed for a layer of any kind (for code that holds a `Layer`).
 *
 * @throws {ArgumentError} when `kind` is not a layer kind.
 * @example
 * layerKind(net.layers[0].kind).display; // 'conv'
 */
export function layerKind<K extends Layer['kind']>(kind: K): LayerKind<K> {
  if (!Object.hasOwn(LAYER_KINDS, kind)) {
    throw new ArgumentError(
      'layerKind',
      `received ${JSON.stringify(kind)}, expected one of ${Object.keys(LAYER_KINDS).join(', ')}`,
    );
  }
  return LAYER_KINDS[kind] as LayerKind<K>;
}

/** The descriptor of `layer`'s kind, typed to take that layer (a union of kinds is widened). */
export function kindOf(layer: Layer): LayerKind<Layer['kind']> {
  return layerKind(layer.kind) as unknown as LayerKind<Layer['kind']>;
}
