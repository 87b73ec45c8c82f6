import { Tape } from './autograd.js';
import { ArgumentError } from './errors.js';
import { kindOf } from './layer-kinds.js';
import type { SequentialModel } from './model.js';
import { assertNCHW, type Tensor } from './tensor.js';

/** What {@link saliency} returns. */
export interface Saliency {
  /** The class whose score was differentiated. */
  target: number;
  /** Name of the layer the score was read from: the last one before the model's softmax. */
  layer: string;
  /** The class's score on this input (a logit when the model ends in a softmax). */
  score: number;
  /** d score / d input, [C, H, W]. */
  gradient: Tensor;
  /**
   * Per pixel, the largest |gradient| over the channels, [H, W] (Simonyan, Vedaldi & Zisserman,
   * 2014): how much a small change of that pixel would move the score.
   */
  map: Tensor;
}

// Index of the last layer that is not a (log-)softmax: its output is the class scores.
function scoreLayer(model: SequentialModel): number {
  let i = model.layers.length - 1;
  while (i > 0 && kindOf(model.layers[i]!).probabilities) i--;
  return i;
}

function checkOne(op: string, model: SequentialModel, input: Tensor): [number, number, number] {
  const [n, c, h, w] = assertNCHW(op, input);
  if (n !== 1) throw new ArgumentError(op, `takes one example ([1, C, H, W]), received ${n}`);
  const want = model.inputShape;
  if (want[0] !== c || want[1] !== h || want[2] !== w) {
    throw new ArgumentError(
      op,
      `received an input of [${input.shape.join(', ')}], expected [1, ${want.join(', ')}]`,
    );
  }
  return [c, h, w];
}

function checkTarget(op: string, target: number, classes: number): void {
  if (!Number.isInteger(target) || target < 0 || target >= classes) {
    throw new ArgumentError(
      op,
      `received target ${target}, expected a class from 0 to ${classes - 1}`,
    );
  }
}

/** Index of the largest value (the first of equals). */
export function argmax(values: ArrayLike<number>, from = 0, to = values.length): number {
  let best = from;
  for (let i = from + 1; i < to; i++) if (values[i]! > values[best]!) best = i;
  return best - from;
}

/**
 * Gradient saliency of one input: the gradient of a class's score (the layer before the softmax,
 * not the probability, which saturates near 1) with respect to every input pixel, by the core's
 * autograd. `target` defaults to the model's own answer.
 *
 * @throws {ArgumentError} for a batch of more than one, a wrong input shape or target.
 * @example
 * const s = saliency(cnn, digit); // digit: [1, 1, 28, 28]
 * s.target; // the predicted class
 * s.map;    // [28, 28], largest where a touch of ink would change the score most
 */
export function saliency(model: SequentialModel, input: Tensor, target?: number): Saliency {
  const [c, h, w] = checkOne('saliency', model, input);
  const li = scoreLayer(model);
  const tape = new Tape();
  const x = tape.variable(input, true);
  const out = model.forwardOnTape(tape, x, new Map(), li);
  const classes = out.value.data.length;
  const t = target ?? argmax(out.value.data);
  checkTarget('saliency', t, classes);
  const seed = new Float32Array(classes);
  seed[t] = 1;
  tape.backward(out, { shape: [...out.value.shape], data: seed });
  const gradient = x.grad?.data ?? new Float32Array(c * h * w);
  const map = new Float32Array(h * w);
  for (let ch = 0; ch < c; ch++) {
    for (let p = 0; p < h * w; p++) map[p] = Math.max(map[p]!, Math.abs(gradient[ch * h * w + p]!));
  }
  return {
    target: t,
    layer: model.layers[li]!.name,
    score: out.value.data[t]!,
    gradient: { shape: [c, h, w], data: gradient },
    map: { shape: [h, w], data: map },
  };
}

/** Options of {@link occlusion}. */
export interface OcclusionOptions {
  /** Side of the square patch, pixels. Default 4. */
  patch?: number;
  /** Step between patch positions, pixels. Default 2. */
  stride?: number;
  /** The grey level the patch paints. Default 0.5. */
  fill?: number;
  /** The class whose probability is watched; default the model's answer on the input. */
  target?: number;
}

/** What {@link occlusion} returns. */
export interface Occlusion {
  target: number;
  /** P(target) of the untouched input. */
  base: number;
  patch: number;
  stride: number;
  fill: number;
  /** Patch positions down and across: `floor((H - patch) / stride) + 1` each. */
  rows: number;
  cols: number;
  /** base - P(target) with the patch at row r, column c (top-left pixel r*stride, c*stride), [rows, cols]. */
  drops: Tensor;
  /** Per pixel, the mean drop over the patches that cover it, [H, W] (0 where none does). */
  map: Tensor;
}

/**
 * An occlusion map (Zeiler & Fergus, 2014): a grey patch slides over the input, and at each
 * place the drop in the watched class's probability says how much the model needed what the
 * patch hid. Every occluded copy runs through the model as one batch.
 *
 * @throws {ArgumentError} for a bad patch, stride, fill or target, or a batch of more than one.
 * @example
 * const o = occlusion(cnn, digit, { patch: 4, stride: 2 });
 * o.drops; // [13, 13]: large where hiding the pixels costs the model its answer
 */
export function occlusion(
  model: SequentialModel,
  input: Tensor,
  opts: OcclusionOptions = {},
): Occlusion {
  const op = 'occlusion';
  const [c, h, w] = checkOne(op, model, input);
  const patch = opts.patch ?? 4;
  const stride = opts.stride ?? 2;
  const fill = opts.fill ?? 0.5;
  if (!Number.isInteger(patch) || patch < 1 || patch > Math.min(h, w)) {
    throw new ArgumentError(
      op,
      `received patch ${patch}, expected a whole number from 1 to ${Math.min(h, w)}`,
    );
  }
  if (!Number.isInteger(stride) || stride < 1) {
    throw new ArgumentError(op, `received stride ${stride}, expected a whole number >= 1`);
  }
  if (!Number.isFinite(fill))
    throw new ArgumentError(op, `received fill ${fill}, expected a number`);
  // out = floor((in - patch) / stride) + 1: the floor drops a last position the patch would overhang.
  const rows = Math.floor((h - patch) / stride) + 1;
  const cols = Math.floor((w - patch) / stride) + 1;
  const per = c * h * w;
  const batch = new Float32Array((rows * cols + 1) * per);
  batch.set(input.data, 0);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      const at = (1 + r * cols + q) * per;
      batch.set(input.data, at);
      for (let ch = 0; ch < c; ch++) {
        for (let y = r * stride; y < r * stride + patch; y++) {
          const row = at + ch * h * w + y * w + q * stride;
          batch.fill(fill, row, row + patch);
        }
      }
    }
  }
  const probs = model.forward({ shape: [rows * cols + 1, c, h, w], data: batch }).data;
  const classes = probs.length / (rows * cols + 1);
  const target = opts.target ?? argmax(probs, 0, classes);
  checkTarget(op, target, classes);
  const base = probs[target]!;
  const drops = new Float32Array(rows * cols);
  const sum = new Float64Array(h * w);
  const count = new Uint16Array(h * w);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      const d = base - probs[(1 + r * cols + q) * classes + target]!;
      drops[r * cols + q] = d;
      for (let y = r * stride; y < r * stride + patch; y++) {
        for (let x = q * stride; x < q * stride + patch; x++) {
          sum[y * w + x]! += d;
          count[y * w + x]!++;
        }
      }
    }
  }
  const map = new Float32Array(h * w);
  for (let p = 0; p < h * w; p++) map[p] = count[p]! ? sum[p]! / count[p]! : 0;
  return {
    target,
    base,
    patch,
    stride,
    fill,
    rows,
    cols,
    drops: { shape: [rows, cols], data: drops },
    map: { shape: [h, w], data: map },
  };
}
