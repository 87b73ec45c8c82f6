import { ArgumentError, ShapeError } from './errors.js';
import { avgPool2d, avgPool2dBackward } from './ops/avg-pool2d.js';
import { type BlurPool2dOptions, blurPool2d, blurPool2dBackward } from './ops/blur-pool2d.js';
import { type Conv2dOptions, conv2dBackwardFrom, conv2dWithGeometry } from './ops/conv2d.js';
import { crossEntropy, crossEntropyBackward } from './ops/cross-entropy.js';
import { flatten, flattenBackward } from './ops/flatten.js';
import { linear, linearBackward } from './ops/linear.js';
import { maxPool2dBackwardFrom, maxPool2dWithGeometry } from './ops/max-pool2d.js';
import type { Pool2dOptions } from './ops/pool-geometry.js';
import { relu, reluBackward } from './ops/relu.js';
import { logSoftmax, logSoftmaxBackward, softmax, softmaxBackward } from './ops/softmax.js';
import { sizeOf, type Tensor } from './tensor.js';

/** A value on a {@link Tape}: a tensor, and after `backward` the gradient of the root. */
export class Var {
  readonly value: Tensor;
  readonly requiresGrad: boolean;
  /** dRoot/dThis after {@link Tape.backward}; null while no gradient reached this value. */
  grad: Tensor | null = null;
  constructor(value: Tensor, requiresGrad: boolean) {
    this.value = value;
    this.requiresGrad = requiresGrad;
  }
}

interface TapeNode {
  out: Var;
  inputs: (Var | null)[];
  // Returns one gradient per input, in order (null where the input needs none).
  backward(dy: Tensor): (Tensor | null)[];
}

/**
 * Adds g into v's gradient. `owned`: g's array was made by the backward that returned it and
 * nothing else holds it, so the first gradient takes it as it is instead of a copy.
 */
function accumulate(v: Var, g: Tensor, owned = false): void {
  if (!v.grad) {
    v.grad = { shape: [...v.value.shape], data: owned ? g.data : g.data.slice() };
    return;
  }
  const d = v.grad.data;
  for (let i = 0; i < d.length; i++) d[i]! += g.data[i]!;
}

/**
 * Reverse-mode automatic differentiation. Each op called on the tape computes its forward
 * value at once and records how to send a gradient back; `backward(root)` then walks the
 * records in reverse (a Wengert list), calling each op's backward from the op's own file.
 *
 * @example
 * const tape = new Tape();
 * const x = tape.variable(image);            // no gradient wanted
 * const w = tape.variable(kernel, true);      // gradient wanted
 * const loss = tape.crossEntropy(tape.flatten(tape.conv2d(x, w)), [3]);
 * tape.backward(loss);
 * w.grad; // dLoss/dKernel
 */
export class Tape {
  private readonly nodes: TapeNode[] = [];

  /** Puts a tensor on the tape; `requiresGrad` marks a leaf whose gradient you want. */
  variable(t: Tensor, requiresGrad = false): Var {
    return new Var(t, requiresGrad);
  }

  private record(
    value: Tensor,
    inputs: (Var | null)[],
    backward: (dy: Tensor) => (Tensor | null)[],
  ): Var {
    const needs = inputs.some((v) => v?.requiresGrad);
    const out = new Var(value, needs);
    if (needs) this.nodes.push({ out, inputs, backward });
    return out;
  }

  // conv2d and maxPool2d check their input once, on the forward pass: the backward runs from
  // the geometry that check produced.
  conv2d(x: Var, w: Var, b: Var | null, opts: Conv2dOptions = {}): Var {
    const { y, g: geo } = conv2dWithGeometry(x.value, w.value, b?.value, opts);
    return this.record(y, [x, w, b], (dy) => {
      const g = conv2dBackwardFrom(geo, x.value, w.value, b?.value, dy, x.requiresGrad);
      return [g.dx, g.dw, g.db];
    });
  }

  maxPool2d(x: Var, opts: Pool2dOptions): Var {
    const { y, g } = maxPool2dWithGeometry(x.value, opts);
    return this.record(y, [x], (dy) => [maxPool2dBackwardFrom(g, x.value, dy)]);
  }

  avgPool2d(x: Var, opts: Pool2dOptions): Var {
    return this.record(avgPool2d(x.value, opts), [x], (dy) => [
      avgPool2dBackward(x.value, dy, opts),
    ]);
  }

  blurPool2d(x: Var, opts: BlurPool2dOptions = {}): Var {
    return this.record(blurPool2d(x.value, opts), [x], (dy) => [
      blurPool2dBackward(x.value, dy, opts),
    ]);
  }

  relu(x: Var): Var {
    return this.record(relu(x.value), [x], (dy) => [reluBackward(x.value, dy)]);
  }

  flatten(x: Var): Var {
    return this.record(flatten(x.value), [x], (dy) => [flattenBackward(x.value, dy)]);
  }

  linear(x: Var, w: Var, b: Var | null): Var {
    const y = linear(x.value, w.value, b?.value);
    return this.record(y, [x, w, b], (dy) => {
      const g = linearBackward(x.value, w.value, b?.value, dy, x.requiresGrad);
      return [g.dx, g.dw, g.db];
    });
  }

  softmax(x: Var): Var {
    const y = softmax(x.value);
    return this.record(y, [x], (dy) => [softmaxBackward(y, dy)]);
  }

  logSoftmax(x: Var): Var {
    const y = logSoftmax(x.value);
    return this.record(y, [x], (dy) => [logSoftmaxBackward(y, dy)]);
  }

  /** Mean cross-entropy of logits against integer labels; a scalar. */
  crossEntropy(logits: Var, labels: ArrayLike<number>): Var {
    const y = crossEntropy(logits.value, labels);
    return this.record(y, [logits], (dy) => [
      crossEntropyBackward(logits.value, labels, dy.data[0]!),
    ]);
  }

  /**
   * Sends the gradient of `root` back to every recorded value. `seed` is dRoot/dRoot: 1 for a
   * scalar loss; give a tensor of root's shape to take the gradient of one chosen unit.
   *
   * @throws {ArgumentError} when root is not a scalar and no seed is given.
   */
  backward(root: Var, seed?: Tensor): void {
    if (!seed) {
      if (root.value.data.length !== 1) {
        throw new ArgumentError(
          'backward',
          `root has shape [${root.value.shape.join(', ')}]; pass a seed tensor for a non-scalar root`,
        );
      }
      seed = { shape: [...root.value.shape], data: Float32Array.of(1) };
    } else if (sizeOf(seed.shape) !== root.value.data.length) {
      throw new ShapeError('backward', `[${root.value.shape.join(', ')}] for the seed`, seed.shape);
    }
    accumulate(root, seed);
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i]!;
      if (!node.out.grad) continue;
      const dy = node.out.grad;
      const grads = node.backward(dy);
      node.inputs.forEach((input, j) => {
        const g = grads[j];
        // A backward that passes dy's own array on (flatten) does not hand over ownership,
        // and neither does one array returned for two inputs.
        const owned = !!g && g.data !== dy.data && grads.findIndex((o) => o?.data === g.data) === j;
        if (input?.requiresGrad && g) accumulate(input, g, owned);
      });
    }
  }
}
