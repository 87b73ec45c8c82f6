/**
 * @receptive/core/tfjs: runs the same sequential models on TensorFlow.js, so a figure can train
 * and infer on the GPU (webgpu / webgl backends in the browser) or on tfjs's cpu backend.
 * `@tensorflow/tfjs` is an optional peer dependency: only this entry point imports it. It
 * brings the cpu and webgl backends; add `@tensorflow/tfjs-backend-webgpu` for WebGPU, then
 * pick one with `await useBackend('webgpu', 'webgl')`, which says so when none can start.
 *
 * Core tensors are NCHW; tfjs convolutions run in NHWC, so inputs are transposed once on the
 * way in and back before `flatten`, which keeps the linear weights in the core's order.
 */
// The umbrella package, not tfjs-core alone: it registers the op gradients that training needs,
// and its Node build is a CommonJS bundle that plain Node ESM can load (tfjs-core's
// register_all_gradients is ESM with extensionless imports, which Node cannot resolve).
import * as tf from '@tensorflow/tfjs';
import { ArgumentError, ReceptiveError, ShapeError } from './errors.js';
import { layerKind } from './layer-kinds.js';
import type { Layer } from './layers.js';
import type { SequentialModel } from './model.js';
import { binomialFilter } from './ops/blur-pool2d.js';
import type { AdamConfig, SgdConfig } from './optim.js';
import type { Tensor } from './tensor.js';

/** None of the tfjs backends asked for could start here; `tried` says why for each. */
export class BackendUnavailableError extends ReceptiveError {
  readonly tried: readonly { backend: string; reason: string }[];
  constructor(tried: readonly { backend: string; reason: string }[]) {
    super(
      'useBackend',
      `no tfjs backend of ${tried.map((t) => `'${t.backend}'`).join(', ')} could start here (${tried
        .map((t) => `${t.backend}: ${t.reason}`)
        .join('; ')})`,
    );
    this.name = 'BackendUnavailableError';
    this.tried = tried;
  }
}

/**
 * Switches tfjs to the first of `backends` that starts here and resolves to its name. Use it
 * instead of `tf.setBackend`: that answers `false` for a backend that is registered but cannot
 * start (WebGPU in a browser with no adapter), yet leaves `tf.getBackend()` naming it, and the
 * next op then runs on whichever backend does start, silently. List fallbacks in order of
 * preference; when none starts this throws a {@link BackendUnavailableError} and puts the
 * backend that was in use back.
 *
 * @example
 * import '@tensorflow/tfjs-backend-webgpu';
 * const backend = await useBackend('webgpu', 'webgl'); // 'webgl' where WebGPU has no adapter
 * await useBackend('webgpu'); // throws BackendUnavailableError there
 */
export async function useBackend(...backends: string[]): Promise<string> {
  if (backends.length === 0) {
    throw new ArgumentError('useBackend', "name at least one backend, e.g. 'webgpu', 'webgl'");
  }
  const engine = tf.engine();
  const previous = engine.backendName;
  const tried: { backend: string; reason: string }[] = [];
  for (const backend of backends) {
    if (!(backend in engine.registryFactory)) {
      tried.push({
        backend,
        reason: `not registered (registered: ${Object.keys(engine.registryFactory).join(', ')}; webgpu needs \`import '@tensorflow/tfjs-backend-webgpu'\`)`,
      });
      continue;
    }
    // Without an adapter tfjs's WebGPU factory fails loudly ("reading 'features'" of the null
    // adapter, then "Initialization of backend webgpu failed"); ask first, so a fallback is quiet.
    if (backend === 'webgpu' && !(await hasWebGpuAdapter())) {
      tried.push({ backend, reason: 'no WebGPU adapter here' });
      continue;
    }
    // tfjs logs the cause of a failed start as a console warning and answers false.
    if (await tf.setBackend(backend)) return backend;
    tried.push({ backend, reason: 'registered, but failed to start (tfjs logs why)' });
  }
  if (previous && previous in engine.registry) await tf.setBackend(previous);
  // Undo what the failed tf.setBackend left: a backend name with no backend behind it.
  else engine.backendName = previous;
  throw new BackendUnavailableError(tried);
}

/** Whether a WebGPU adapter is to be had here (asked once: tfjs's webgpu backend needs one). */
let adapterCheck: Promise<boolean> | null = null;
function hasWebGpuAdapter(): Promise<boolean> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } })
    .navigator?.gpu;
  if (!gpu) return Promise.resolve(false);
  adapterCheck ??= gpu.requestAdapter().then(
    (a) => a !== null,
    () => false,
  );
  return adapterCheck;
}

/** The GPU behind the tfjs backend in use, watched by {@link watchGpuLoss}. */
export interface GpuLossWatch {
  /** The backend watched: `webgl`, `webgpu`, or another (which has no GPU to lose). */
  readonly backend: string;
  /** Why the GPU went ("the WebGL context was lost"), once it has; null until then. */
  readonly reason: string | null;
  /**
   * Rejects with the reason when the GPU goes. Race every read-back against it: one in flight
   * when a WebGL context goes never settles (tfjs polls a fence that a lost context never
   * signals).
   */
  readonly lost: Promise<never>;
  /** Says the GPU went, for a failure seen first elsewhere (a run that threw). */
  lose(reason: string): void;
  /**
   * Reads `t` back; when the GPU goes before or during the read, fails with the reason (a
   * lost WebGL context reads back zeros, a lost WebGPU device fails in its own words a moment
   * before it says it was lost: both are reported as the loss).
   */
  read(t: tf.Tensor): Promise<Float32Array | Int32Array | Uint8Array>;
}

/** How long a failed WebGPU read-back waits for `device.lost` to say why, in milliseconds. */
const LOSS_GRACE_MS = 500;
/** The host's timer (browsers and Node both have one; the core's types name no host). */
const timers = globalThis as unknown as { setTimeout(f: () => void, ms: number): unknown };

/**
 * Watches the GPU behind tfjs's current backend: its WebGL context (`webglcontextlost` on
 * tfjs's canvas) or its WebGPU device (`device.lost`). A GPU reset, a driver update or too many
 * contexts on the page take either away; nothing tfjs computed there can be read after.
 * `onLost` is called once, with the reason.
 * @example
 * const watch = watchGpuLoss((why) => showNote(`Moved to the CPU: ${why}`));
 * const data = await Promise.race([t.data(), watch.lost]);
 */
export function watchGpuLoss(onLost?: (reason: string) => void): GpuLossWatch {
  const b = tf.backend() as unknown as {
    gpgpu?: {
      gl?: { canvas?: { addEventListener?: unknown }; isContextLost(): boolean };
    };
    device?: { lost?: Promise<{ message?: string }> };
  };
  let reject: (err: Error) => void = () => {};
  const lost = new Promise<never>((_, r) => {
    reject = r;
  });
  lost.catch(() => {});
  const watch = {
    backend: tf.getBackend(),
    reason: null as string | null,
    lost,
    lose(reason: string) {
      if (watch.reason !== null) return;
      watch.reason = reason;
      reject(new Error(reason));
      onLost?.(reason);
    },
    async read(t: tf.Tensor) {
      if (watch.reason !== null) throw new Error(watch.reason);
      try {
        const data = await Promise.race([t.data(), lost]);
        if (gl?.isContextLost()) watch.lose('the WebGL context was lost');
        if (watch.reason !== null) throw new Error(watch.reason);
        return data as Float32Array | Int32Array | Uint8Array;
      } catch (err) {
        if (watch.reason === null && b.device?.lost) {
          await Promise.race([
            lost.catch(() => {}),
            new Promise<void>((resolve) => timers.setTimeout(resolve, LOSS_GRACE_MS)),
          ]);
        }
        if (watch.reason !== null) throw new Error(watch.reason);
        throw err;
      }
    },
  };
  const gl = b.gpgpu?.gl;
  const canvas = gl?.canvas;
  // An HTMLCanvasElement or an OffscreenCanvas: both say when their context goes.
  if (typeof canvas?.addEventListener === 'function') {
    (canvas as { addEventListener(type: string, f: () => void): void }).addEventListener(
      'webglcontextlost',
      () => watch.lose('the WebGL context was lost'),
    );
  }
  if (gl?.isContextLost()) watch.lose('the WebGL context was lost');
  void b.device?.lost?.then((info) =>
    watch.lose(`the WebGPU device was lost (${info.message || 'no reason given'})`),
  );
  return watch;
}

/**
 * What tfjs holds now, on every backend: live tensors and their bytes. A figure that leaves the
 * page should bring both back to where they were before it started.
 * @example const before = tfMemory(); run(); dispose(); tfMemory().tensors === before.tensors;
 */
export function tfMemory(): { tensors: number; bytes: number } {
  const m = tf.memory();
  return { tensors: m.numTensors, bytes: m.numBytes };
}

/** A core tensor as a tfjs tensor of the same shape (copies the data). */
export function toTf(t: Tensor): tf.Tensor {
  return tf.tensor(t.data, [...t.shape], 'float32');
}

/** A tfjs tensor as a core tensor (reads the data back synchronously). */
export function fromTf(t: tf.Tensor): Tensor {
  return { shape: [...t.shape], data: Float32Array.from(t.dataSync() as Float32Array) };
}

/** A tfjs tensor as a core tensor, read back without blocking (use this on the GPU). */
export async function fromTfAsync(t: tf.Tensor): Promise<Tensor> {
  return { shape: [...t.shape], data: Float32Array.from((await t.data()) as Float32Array) };
}

type Pad = [[number, number], [number, number], [number, number], [number, number]];
const pads = (ph: number, pw: number): Pad => [
  [0, 0],
  [ph, ph],
  [pw, pw],
  [0, 0],
];

interface LayerVars {
  weight?: tf.Variable;
  bias?: tf.Variable;
}

/**
 * A core model mirrored on tfjs: parameters become tf variables (copied from the model), the
 * forward pass and the training step use tfjs ops, and `syncToModel` copies the trained
 * parameters back into the core model.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { tfjsModel } from '@receptive/core/tfjs';
 * await tf.setBackend('webgl');
 * const gpu = tfjsModel(net, { optimizer: adam({ lr: 0.01 }).config });
 * gpu.trainStep(batch, labels); // same numbers as trainStep(net, ...) on the CPU, within 1e-4
 */
export class TfjsModel {
  readonly model: SequentialModel;
  private readonly vars: LayerVars[];
  private readonly optimizer: SgdConfig | AdamConfig | null;
  private readonly slots: tf.Variable[][] = [];
  private steps = 0;
  private readonly filters = new Map<string, tf.Tensor4D>();

  constructor(model: SequentialModel, opts: { optimizer?: SgdConfig | AdamConfig } = {}) {
    this.model = model;
    this.optimizer = opts.optimizer ?? null;
    this.vars = model.layers.map((l) => {
      if (!layerKind(l.kind).trainable || !('weight' in l)) return {};
      const v: LayerVars = { weight: tf.tidy(() => tf.variable(toTf(l.weight), true)) };
      if (l.bias) v.bias = tf.tidy(() => tf.variable(toTf(l.bias!), true));
      return v;
    });
  }

  /** Parameter variables, in `model.parameters()` order. */
  variables(): tf.Variable[] {
    return this.vars.flatMap((v) =>
      [v.weight, v.bias].filter((x): x is tf.Variable => x !== undefined),
    );
  }

  private blurFilter(l: Extract<Layer, { kind: 'blurPool2d' }>, c: number): tf.Tensor4D {
    const key = `${l.filter}x${c}`;
    let f = this.filters.get(key);
    if (!f) {
      const k = binomialFilter(l.filter).data;
      const data = new Float32Array(l.filter * l.filter * c);
      for (let i = 0; i < l.filter * l.filter; i++) data.fill(k[i]!, i * c, (i + 1) * c);
      f = tf.keep(tf.tensor4d(data, [l.filter, l.filter, c, 1]));
      this.filters.set(key, f);
    }
    return f;
  }

  // kh*kw / (pixels of the image each padded window covers), [1, oh, ow, 1].
  private coverage(l: Extract<Layer, { kind: 'avgPool2d' }>): tf.Tensor4D {
    const key = `cover:${l.name}`;
    let t = this.filters.get(key);
    if (!t) {
      const [, h, w] = l.inputShape as [number, number, number];
      const [, oh, ow] = l.outputShape as [number, number, number];
      const data = new Float32Array(oh * ow);
      for (let i = 0; i < oh; i++) {
        const rows =
          Math.min(h, i * l.stride[0] - l.padding[0] + l.kernel[0]) -
          Math.max(0, i * l.stride[0] - l.padding[0]);
        for (let j = 0; j < ow; j++) {
          const cols =
            Math.min(w, j * l.stride[1] - l.padding[1] + l.kernel[1]) -
            Math.max(0, j * l.stride[1] - l.padding[1]);
          data[i * ow + j] = (l.kernel[0] * l.kernel[1]) / (rows * cols);
        }
      }
      t = tf.keep(tf.tensor4d(data, [1, oh, ow, 1]));
      this.filters.set(key, t);
    }
    return t;
  }

  // NHWC while spatial, [N, F] after flatten. Returns every activation in core (NCHW) layout.
  private run(x: tf.Tensor, keepAll: boolean, until = this.model.layers.length - 1): tf.Tensor[] {
    const outs: tf.Tensor[] = [];
    let y: tf.Tensor = x.rank === 4 ? tf.transpose(x, [0, 2, 3, 1]) : x;
    for (let i = 0; i <= until; i++) {
      const l = this.model.layers[i]!;
      const v = this.vars[i]!;
      switch (l.kind) {
        case 'conv2d': {
          const w = tf.transpose(v.weight!, [2, 3, 1, 0]) as tf.Tensor4D;
          const padded =
            l.padding[0] || l.padding[1] ? tf.pad(y, pads(l.padding[0], l.padding[1])) : y;
          y = tf.conv2d(padded as tf.Tensor4D, w, l.stride, 'valid');
          if (v.bias) y = tf.add(y, v.bias);
          break;
        }
        case 'relu':
          y = tf.relu(y);
          break;
        case 'maxPool2d': {
          const pad =
            l.padding[0] || l.padding[1]
              ? (pads(l.padding[0], l.padding[1]) as unknown as number)
              : 'valid';
          y = tf.maxPool(y as tf.Tensor4D, l.kernel, l.stride, pad);
          break;
        }
        case 'avgPool2d': {
          if (!l.padding[0] && !l.padding[1]) {
            y = tf.avgPool(y as tf.Tensor4D, l.kernel, l.stride, 'valid');
            break;
          }
          // tfjs's padded avgPool leaves padding out of the forward mean but divides the
          // gradient by the full window, so its gradient is wrong at the border. Instead:
          // mean over zero-padded windows, rescaled by window area / pixels really covered.
          const padded = tf.pad(y, pads(l.padding[0], l.padding[1]));
          y = tf.mul(
            tf.avgPool(padded as tf.Tensor4D, l.kernel, l.stride, 'valid'),
            this.coverage(l),
          );
          break;
        }
        case 'blurPool2d': {
          const m = tf.maxPool(y as tf.Tensor4D, l.kernel, 1, 'valid');
          const p = (l.filter - 1) / 2;
          const padded = p ? tf.pad(m, pads(p, p)) : m;
          y = tf.depthwiseConv2d(
            padded as tf.Tensor4D,
            this.blurFilter(l, m.shape[3]),
            l.stride,
            'valid',
          );
          break;
        }
        case 'flatten':
          y = tf.reshape(tf.transpose(y, [0, 3, 1, 2]), [y.shape[0]!, -1]);
          break;
        case 'linear': {
          y = tf.matMul(y as tf.Tensor2D, v.weight as tf.Tensor2D, false, true);
          if (v.bias) y = tf.add(y, v.bias);
          break;
        }
        case 'softmax':
          y = tf.softmax(y);
          break;
        case 'logSoftmax':
          y = tf.logSoftmax(y);
          break;
        default: {
          // The TensorFlow.js form of each kind lives here, not in LAYER_KINDS, because only this
          // optional entry point may import tfjs; a kind added there without a case here fails
          // the typecheck on this line.
          const never: never = l;
          throw new ArgumentError(
            'TfjsModel',
            `no TensorFlow.js form for ${JSON.stringify(never)}`,
          );
        }
      }
      if (keepAll || i === until) outs.push(y.rank === 4 ? tf.transpose(y, [0, 3, 1, 2]) : y);
    }
    return outs;
  }

  private input(x: Tensor | tf.Tensor): tf.Tensor {
    const shape = x.shape;
    const want = this.model.inputShape;
    if (shape.length !== want.length + 1 || want.some((d, i) => shape[i + 1] !== d)) {
      throw new ShapeError('TfjsModel.forward', `[N, ${want.join(', ')}]`, [...shape]);
    }
    return x instanceof tf.Tensor ? x : toTf(x);
  }

  /** Output as a tfjs tensor (stays on the device; dispose it when done). */
  predict(x: Tensor | tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.run(this.input(x), false)[0]!);
  }

  /** Output as a core tensor (blocking read-back). */
  forward(x: Tensor): Tensor {
    const y = this.predict(x);
    const out = fromTf(y);
    y.dispose();
    return out;
  }

  /** Every activation by layer name, as core tensors (NCHW), like `SequentialModel.forwardAll`. */
  async forwardAll(x: Tensor): Promise<{ output: Tensor; activations: Record<string, Tensor> }> {
    const outs = tf.tidy(() => this.run(this.input(x), true));
    const activations: Record<string, Tensor> = { input: x };
    for (let i = 0; i < outs.length; i++)
      activations[this.model.layers[i]!.name] = await fromTfAsync(outs[i]!);
    tf.dispose(outs);
    return { output: activations[this.model.layers.at(-1)!.name]!, activations };
  }

  /**
   * One optimisation step with the optimizer config given at construction, applying the same
   * update rule as the core optimizer. Returns the batch loss (before the step), read back
   * synchronously: on a GPU use {@link TfjsModel.trainStepLoss}.
   */
  trainStep(x: Tensor | tf.Tensor, labels: ArrayLike<number>): number {
    const loss = this.trainStepLoss(x, labels);
    const v = loss.dataSync()[0]!;
    loss.dispose();
    return v;
  }

  /**
   * The step of {@link TfjsModel.trainStep}, with the batch loss left on the device as a scalar
   * the caller reads without blocking (`await loss.data()`) and then disposes: the GPU runs on
   * while the page waits for nothing. The optimizer config is read at each step, so a changed
   * `lr` applies from the next one.
   */
  trainStepLoss(x: Tensor | tf.Tensor, labels: ArrayLike<number>): tf.Scalar {
    const opt = this.optimizer;
    if (!opt)
      throw new ArgumentError(
        'TfjsModel.trainStep',
        'construct with { optimizer: sgd(...).config or adam(...).config }',
      );
    const vars = this.variables();
    const last = this.model.layers.at(-1);
    const until =
      last && layerKind(last.kind).probabilities
        ? this.model.layers.length - 2
        : this.model.layers.length - 1;
    const n = x.shape[0]!;
    const k = this.model.layers[until]!.outputShape[0]!;
    this.steps++;
    const t = this.steps;
    return tf.tidy(() => {
      const xin = this.input(x);
      const onehot = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), k);
      const { value, grads } = tf.variableGrads(() => {
        const logits = this.run(xin, false, until)[0]!;
        return tf.neg(tf.div(tf.sum(tf.mul(onehot, tf.logSoftmax(logits))), n)) as tf.Scalar;
      }, vars);
      vars.forEach((p, i) => {
        let g = grads[p.name]!;
        if (opt.weightDecay) g = tf.add(g, tf.mul(p, opt.weightDecay));
        this.slots[i] ??= (opt.kind === 'sgd' ? [0] : [0, 1]).map(() =>
          tf.variable(tf.zerosLike(p), false),
        );
        const s = this.slots[i];
        if (opt.kind === 'sgd') {
          s[0]!.assign(tf.add(tf.mul(s[0]!, opt.momentum), g));
          p.assign(tf.sub(p, tf.mul(s[0]!, opt.lr)));
        } else {
          s[0]!.assign(tf.add(tf.mul(s[0]!, opt.beta1), tf.mul(g, 1 - opt.beta1)));
          s[1]!.assign(tf.add(tf.mul(s[1]!, opt.beta2), tf.mul(tf.square(g), 1 - opt.beta2)));
          const mHat = tf.div(s[0]!, 1 - opt.beta1 ** t);
          const vHat = tf.div(s[1]!, 1 - opt.beta2 ** t);
          p.assign(tf.sub(p, tf.div(tf.mul(mHat, opt.lr), tf.add(tf.sqrt(vHat), opt.eps))));
        }
      });
      return value;
    });
  }

  /** Copies the tfjs parameters back into the core model's tensors (in place). */
  syncToModel(): void {
    const params = this.model.parameters();
    for (const [i, v] of this.variables().entries()) {
      params[i]!.value.data.set(v.dataSync() as Float32Array);
    }
  }

  /**
   * {@link TfjsModel.syncToModel} with every read-back asynchronous (use this on the GPU). The
   * core model changes only once every read has succeeded: pass a {@link GpuLossWatch}'s `read`
   * so that weights read from a lost GPU are refused rather than copied.
   */
  async syncToModelAsync(
    read: (t: tf.Tensor) => Promise<ArrayLike<number>> = (t) => t.data(),
  ): Promise<void> {
    const params = this.model.parameters();
    const data = await Promise.all(this.variables().map((v) => read(v)));
    for (const [i, d] of data.entries()) params[i]!.value.data.set(d);
  }

  /** Frees every tfjs tensor this model holds. */
  dispose(): void {
    tf.dispose(this.variables());
    tf.dispose(this.slots.flat());
    tf.dispose([...this.filters.values()]);
    this.filters.clear();
  }
}

/** Mirrors a core model on tfjs; see {@link TfjsModel}. */
export function tfjsModel(
  model: SequentialModel,
  opts: { optimizer?: SgdConfig | AdamConfig } = {},
): TfjsModel {
  return new TfjsModel(model, opts);
}

/**
 * Convolves every channel of an image with the same square kernel, zero padding keeping the
 * size (a figure applying a blur or an edge kernel to a photo). The numbers are the core's
 * `conv2d` run on each channel as its own one-channel image with `padding: (k - 1) / 2`;
 * tfjs's depthwise convolution does it in one pass on whichever backend is current.
 *
 * @param image `[h, w, c]` (as `tf.browser.fromPixels` gives, after scaling) or `[n, h, w, c]`.
 * @param kernel k*k weights row by row, k odd (9 for a 3x3 kernel). Cross-correlation, as in
 *   `conv2d`: the kernel is not flipped.
 * @throws ArgumentError when the kernel is not k*k finite numbers with k odd.
 * @example
 * const out = convolveImage(tf.div(tf.browser.fromPixels(img), 255), [0, -1, 0, -1, 4, -1, 0, -1, 0]);
 */
export function convolveImage<T extends tf.Tensor3D | tf.Tensor4D>(
  image: T,
  kernel: ArrayLike<number>,
): T {
  const k = Math.round(Math.sqrt(kernel.length));
  if (k * k !== kernel.length || k % 2 === 0) {
    throw new ArgumentError(
      'convolveImage',
      `expected k*k kernel weights with k odd (9 for 3x3), received ${kernel.length}`,
    );
  }
  for (let i = 0; i < kernel.length; i++) {
    if (!Number.isFinite(kernel[i])) {
      throw new ArgumentError('convolveImage', `kernel weight ${i} is ${kernel[i]}, not a number`);
    }
  }
  if (image.rank !== 3 && image.rank !== 4) {
    throw new ShapeError('convolveImage', '[h, w, c] or [n, h, w, c]', [...image.shape]);
  }
  return tf.tidy(() => {
    const x = (image.rank === 3 ? tf.expandDims(image, 0) : image) as tf.Tensor4D;
    const c = x.shape[3];
    const data = new Float32Array(k * k * c);
    for (let i = 0; i < k * k; i++) data.fill(kernel[i]!, i * c, (i + 1) * c);
    const filter = tf.tensor4d(data, [k, k, c, 1]);
    const p = (k - 1) / 2;
    const y = tf.depthwiseConv2d(tf.pad(tf.cast(x, 'float32'), pads(p, p)), filter, 1, 'valid');
    return (image.rank === 3 ? tf.squeeze(y, [0]) : y) as T;
  });
}
