import { Tape } from './autograd.js';
import { ArgumentError } from './errors.js';
import type { SequentialModel } from './model.js';
import { createRng } from './random.js';
import { type Region, receptiveField } from './receptive-field.js';
import type { Tensor } from './tensor.js';

/** Options of {@link FilterAscent}. */
export interface FilterAscentOptions {
  /** Size of each step, in grey levels per unit of normalised gradient. Default 0.05. */
  rate?: number;
  /** Seed of the starting noise. Default 0. */
  seed?: number;
  /** Spread of the starting noise around mid grey. Default 0.05. */
  noise?: number;
  /**
   * What to raise: one unit of the channel's map (default: the one at the map's centre, whose
   * pattern then fills its receptive field), or `'mean'`, the whole map's average, as Chollet
   * does (on a first layer, which is linear in the input, that only tiles one flat pattern).
   */
  unit?: { y: number; x: number } | 'mean';
}

/**
 * The input pattern a channel responds to most, found by gradient ascent on the input (Chollet,
 * *Deep Learning with Python*, ch. 5): start from grey noise, and repeatedly move every pixel
 * along the gradient of the channel's activation (one unit's, or the map's mean), the gradient
 * scaled to unit root mean square so each step has the same size, the pixels kept in [0, 1]
 * (the range of a digit). Pixels outside the unit's receptive field get no gradient and stay
 * as they started.
 *
 * @example
 * const a = new FilterAscent(cnn, 'conv2', 5);
 * for (let i = 0; i < 40; i++) a.step();
 * a.image;     // [1, 1, 28, 28]
 * a.objective; // the centre unit's activation on it, rising step after step
 * a.field;     // the input pixels that unit sees
 */
export class FilterAscent {
  readonly model: SequentialModel;
  readonly layer: string;
  readonly channel: number;
  readonly rate: number;
  /** The pattern so far, [1, ...inputShape]. */
  readonly image: Tensor;
  /** Steps taken. */
  steps = 0;
  /** The objective on `image` before the latest step (NaN before the first). */
  objective = Number.NaN;
  /** The unit raised, or 'mean'. */
  readonly unit: { y: number; x: number } | 'mean';
  /** The input pixels the objective depends on: the unit's receptive field, or the whole input. */
  readonly field: Region;
  private readonly index: number;

  constructor(
    model: SequentialModel,
    layer: string,
    channel: number,
    opts: FilterAscentOptions = {},
  ) {
    const op = 'FilterAscent';
    this.index = model.indexOf(layer);
    const shape = model.layers[this.index]!.outputShape;
    if (shape.length !== 3) {
      throw new ArgumentError(
        op,
        `layer "${layer}" has no channels (output [${shape.join(', ')}])`,
      );
    }
    if (!Number.isInteger(channel) || channel < 0 || channel >= shape[0]!) {
      throw new ArgumentError(op, `received channel ${channel}, expected 0 to ${shape[0]! - 1}`);
    }
    const rate = opts.rate ?? 0.05;
    if (!(rate > 0) || !Number.isFinite(rate)) {
      throw new ArgumentError(op, `received rate ${rate}, expected a positive number`);
    }
    const [, h, w] = shape as [number, number, number];
    const unit = opts.unit ?? { y: Math.floor(h / 2), x: Math.floor(w / 2) };
    if (
      unit !== 'mean' &&
      (!Number.isInteger(unit.y) ||
        !Number.isInteger(unit.x) ||
        unit.y < 0 ||
        unit.y >= h ||
        unit.x < 0 ||
        unit.x >= w)
    ) {
      throw new ArgumentError(
        op,
        `received unit ${JSON.stringify(unit)}, expected y 0 to ${h - 1} and x 0 to ${w - 1}`,
      );
    }
    this.unit = unit;
    const [, ih, iw] = model.inputShape as [number, number, number];
    this.field =
      unit === 'mean'
        ? { y0: 0, y1: ih - 1, x0: 0, x1: iw - 1 }
        : receptiveField(model, layer, unit).region;
    this.model = model;
    this.layer = layer;
    this.channel = channel;
    this.rate = rate;
    const rng = createRng(opts.seed ?? 0);
    const noise = opts.noise ?? 0.05;
    const size = model.inputShape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = 0.5 + noise * (2 * rng.uniform() - 1);
    this.image = { shape: [1, ...model.inputShape], data };
  }

  /** The objective on an input and its gradient with respect to the input. */
  gradient(input: Tensor = this.image): { objective: number; gradient: Float32Array } {
    const tape = new Tape();
    const x = tape.variable(input, true);
    const out = this.model.forwardOnTape(tape, x, new Map(), this.index);
    const [, c, h, w] = out.value.shape as [number, number, number, number];
    const hw = h * w;
    const seed = new Float32Array(c * hw);
    let objective = 0;
    if (this.unit === 'mean') {
      for (let p = 0; p < hw; p++) {
        seed[this.channel * hw + p] = 1 / hw;
        objective += out.value.data[this.channel * hw + p]! / hw;
      }
    } else {
      const at = this.channel * hw + this.unit.y * w + this.unit.x;
      seed[at] = 1;
      objective = out.value.data[at]!;
    }
    tape.backward(out, { shape: [...out.value.shape], data: seed });
    return { objective, gradient: x.grad?.data ?? new Float32Array(input.data.length) };
  }

  /** One step of ascent; returns the objective measured before it. */
  step(): number {
    const { objective, gradient } = this.gradient();
    let sq = 0;
    for (const g of gradient) sq += g * g;
    const scale = this.rate / (Math.sqrt(sq / gradient.length) + 1e-5);
    const d = this.image.data;
    for (let i = 0; i < d.length; i++)
      d[i] = Math.min(1, Math.max(0, d[i]! + scale * gradient[i]!));
    this.steps++;
    this.objective = objective;
    return objective;
  }
}
