import type { Layer } from './layers.js';
import type { Conv2dGeometry } from './ops/conv2d.js';
import { Conv2dScratch, conv2d3x3Into } from './ops/conv2d-kernels.js';
import { linearInto, linearScratch } from './ops/linear.js';
import { maxPool2x2Into } from './ops/max-pool2d.js';
import { reluKeepNaN } from './ops/relu.js';
import { logSoftmaxInto, softmaxInto } from './ops/softmax.js';
import { activeSimd } from './simd/kernels.js';
import { simdConv2dStride1, simdLinear, simdLinearPays } from './simd/ops.js';
import { sizeOf, type Tensor } from './tensor.js';

/**
 * One step of a compiled forward pass: reads the previous step's values and returns its own
 * (usually a buffer it owns and overwrites on every run), or null when a parameter is not
 * finite and the checked path must run instead to report it.
 */
type Step = (x: Float32Array) => Float32Array | null;

/**
 * `model.forward` compiled for one batch size: the layers as a list of steps, each writing into
 * a buffer allocated once here, so a forward pass allocates only the copy of its output that it
 * returns (no new array per layer for the garbage collector to sweep up).
 *
 * The steps are the ops' own loops (`conv2d3x3Into`, `linearInto`, ...) with the same
 * arithmetic, so the output has the bits of the ops run one by one. What they leave out is the
 * finite-value check every op repeats on its input: `model.forward` checks the model's input
 * and its final output instead, and each conv step checks its (small) kernel and bias. A NaN
 * or infinity made inside the net (an overflow, a NaN weight of a linear layer) still reaches
 * the output, because the ReLUs here keep NaN (see `reluKeepNaN`); the model then runs the
 * checked path, which throws the error the op always threw.
 */
export interface ForwardPlan {
  readonly n: number;
  run(x: Float32Array): Float32Array | null;
}

/** Whether every value is finite (no NaN, no ±Infinity). */
export function allFinite(d: Float32Array): boolean {
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    // v - v is NaN exactly when v is NaN or ±Infinity (as in assertFinite).
    if (v - v !== 0) return false;
  }
  return true;
}

function is2x2Pool(l: Layer | undefined): boolean {
  return (
    l?.kind === 'maxPool2d' &&
    l.kernel[0] === 2 &&
    l.kernel[1] === 2 &&
    l.stride[0] === 2 &&
    l.stride[1] === 2 &&
    l.padding[0] === 0 &&
    l.padding[1] === 0
  );
}

function pool2x2Step(n: number, inShape: number[], outShape: number[], relu: boolean): Step {
  const [c, h, w] = inShape as [number, number, number];
  const [, oh, ow] = outShape as [number, number, number];
  const g = { n, c, h, w, oh, ow };
  const out = new Float32Array(n * sizeOf(outShape));
  return (x) => {
    maxPool2x2Into(x, g, out, relu);
    return out;
  };
}

/**
 * Compiles `layers` for batches of `n` examples; `applyLayer` runs a layer that has no step of
 * its own here.
 */
export function forwardPlan(
  layers: readonly Layer[],
  n: number,
  applyLayer: (l: Layer, x: Tensor) => Tensor,
): ForwardPlan {
  const steps: Step[] = [];
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!;
    const size = n * sizeOf(l.outputShape);
    // A ReLU right after a conv or linear layer rectifies that layer's output in its own buffer,
    // and a 2x2 max pool after that ReLU runs first and rectifies as it writes (see
    // maxPool2x2Into): relu(max(window)) = max(relu(window)), a quarter of the work.
    const reluNext = layers[i + 1]?.kind === 'relu';
    const poolNext = reluNext && is2x2Pool(layers[i + 2]);
    if (
      l.kind === 'conv2d' &&
      l.kernel[0] === 3 &&
      l.kernel[1] === 3 &&
      l.stride[0] === 1 &&
      l.stride[1] === 1
    ) {
      const [c, h, w] = l.inputShape as [number, number, number];
      const [k, oh, ow] = l.outputShape as [number, number, number];
      const g: Conv2dGeometry = {
        n,
        c,
        h,
        w,
        k,
        kh: 3,
        kw: 3,
        sh: 1,
        sw: 1,
        ph: l.padding[0],
        pw: l.padding[1],
        oh,
        ow,
      };
      const out = new Float32Array(size);
      // The plan's named choice for these layers: conv2d's 'direct3x3' kernel, with the padded
      // input and row spans in scratch this step owns (other convs run the op, 'auto').
      const scratch = new Conv2dScratch();
      // A 2x2 pool next reads rows and columns 0 .. 2 * (its output size) - 1 only.
      const pooled = poolNext ? layers[i + 2]!.outputShape : null;
      const rows = pooled ? 2 * pooled[1]! : oh;
      const cols = pooled ? 2 * pooled[2]! : ow;
      // With a ReLU and a 2x2 max pool next, this one step runs all three: on the scalar
      // kernels the pool's own step follows the convolution, on the SIMD kernels the pool and
      // ReLU run on the convolution's output inside the kernels' memory (simdConv2dStride1).
      const pool = poolNext ? layers[i + 2]! : null;
      const poolStep = pool ? pool2x2Step(n, pool.inputShape, pool.outputShape, true) : null;
      const pooledOut = pool
        ? {
            out: new Float32Array(n * sizeOf(pool.outputShape)),
            oh: pool.outputShape[1]!,
            ow: pool.outputShape[2]!,
          }
        : null;
      steps.push((x) => {
        // Read at each run, not once here: a layer's tensors may be swapped for others.
        const weight = l.weight.data;
        const bias = l.bias ? l.bias.data : null;
        if (!allFinite(weight) || (bias && !allFinite(bias))) return null;
        // The kernel set is read at each run too (setKernels may change it between runs).
        const simd = activeSimd();
        if (simd && pooledOut) {
          simdConv2dStride1(simd, x, weight, bias, g, null, pooledOut);
          return pooledOut.out;
        }
        if (simd) simdConv2dStride1(simd, x, weight, bias, g, out);
        else conv2d3x3Into(x, weight, bias, g, out, scratch, rows, cols);
        if (poolStep) return poolStep(out);
        if (reluNext) reluKeepNaN(out, 0, out.length);
        return out;
      });
      if (poolNext) i += 2;
      else if (reluNext) i++;
    } else if (l.kind === 'linear') {
      const out = new Float32Array(size);
      const inF = l.inputShape[0]!;
      const outF = l.units;
      const scratch = linearScratch(inF);
      const simdPays = simdLinearPays(n, inF, outF);
      steps.push((x) => {
        // Weights are read afresh on every call, so writing into them is always seen.
        const bias = l.bias ? l.bias.data : null;
        const simd = simdPays ? activeSimd() : null;
        if (simd) simdLinear(simd, x, l.weight.data, bias, n, inF, outF, out);
        else linearInto(x, l.weight.data, bias, n, inF, outF, out, scratch);
        if (reluNext) reluKeepNaN(out, 0, out.length);
        return out;
      });
      if (reluNext) i++;
    } else if (is2x2Pool(l)) {
      steps.push(pool2x2Step(n, l.inputShape, l.outputShape, false));
    } else if (l.kind === 'flatten') {
      // Same values in the same order: only the shape changes.
    } else if (l.kind === 'softmax' || l.kind === 'logSoftmax') {
      const out = new Float32Array(size);
      const k = l.outputShape.at(-1)!;
      const rows = size / k;
      const into = l.kind === 'softmax' ? softmaxInto : logSoftmaxInto;
      steps.push((x) => {
        into(x, rows, k, out);
        return out;
      });
    } else {
      // No fast path (other kernels, strides and pools, a lone ReLU): the op itself, which
      // allocates its output and checks its input.
      const shape = [n, ...l.inputShape];
      steps.push((x) => applyLayer(l, { shape, data: x }).data);
    }
  }
  return {
    n,
    run(x) {
      let y: Float32Array | null = x;
      for (let s = 0; s < steps.length && y; s++) y = steps[s]!(y);
      return y;
    },
  };
}
