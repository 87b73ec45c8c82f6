import type * as Ort from 'onnxruntime-web';
import { modelBytes } from './assets.js';
import { ModelLoadError } from './errors.js';
import { type ByteProgress, fetchBytes } from './fetch-bytes.js';
import { type ModelName, modelUrl } from './names.js';

/** An execution provider of onnxruntime-web. */
export type Backend = 'webgpu' | 'webgl' | 'wasm';
/** `auto` picks by measurement for the work at hand; see {@link chooseBackend}. */
export type BackendChoice = Backend | 'auto';
/** Batch-1 answers as the reader draws, or many digits at once (scoring, occlusion maps). */
export type Workload = 'interactive' | 'batch';

export interface LoadProgress {
  phase: 'runtime' | 'model' | 'session' | 'warmup' | 'ready';
  backend: Backend;
  /** Bytes downloaded so far in the `model` phase. */
  loaded?: number;
  /** Bytes expected, when the server says. */
  total?: number;
  message: string;
}

export interface LoadModelOptions {
  /** Default `auto`. */
  backend?: BackendChoice;
  /** What `auto` optimises for. Default `interactive`. */
  workload?: Workload;
  onProgress?: (p: LoadProgress) => void;
  /** The ONNX bytes, or where to fetch them. Default: the shipped file of `name`. */
  source?: Uint8Array | ArrayBuffer | string | URL;
  /** Where onnxruntime-web's .wasm/.mjs files are served (its `env.wasm.wasmPaths`). */
  wasmPaths?: string;
  /** Run once on a blank input so the first real answer is fast. Default true. */
  warmup?: boolean;
  signal?: AbortSignal;
}

/** One layer's output: dims [N, ...] and values. */
export interface Activation {
  dims: number[];
  data: Float32Array;
}

export interface RunResult {
  /** Class probabilities, 10 per example. */
  probs: Float32Array;
  /** Scores before the softmax, 10 per example. */
  logits: Float32Array;
  /** Every layer's output by layer name (conv1, relu1, pool1, ...); with `scoresOnly`, the last two. */
  activations: Record<string, Activation>;
  /** The execution provider that produced this result. */
  backend: Backend;
  /** Wall time of this run, ms. */
  latencyMs: number;
  batch: number;
}

export interface LoadedModel {
  readonly name: string;
  /** The provider in use now (it can change to `wasm` if the GPU is lost). */
  readonly backend: Backend;
  /** Why the provider differs from the one asked for, if it does. */
  readonly fallbackReason: string | null;
  /** Shape of one example, e.g. [1, 28, 28]. */
  readonly inputShape: number[];
  /** Layer names in order; the keys of `activations`. */
  readonly layers: string[];
  /** Time to fetch, compile and warm up, ms. */
  readonly loadMs: number;
  /** The warm-up run's time, ms (null without warm-up). */
  readonly firstRunMs: number | null;
  /**
   * Runs `batch` examples laid out one after another (784 values each for a digit). With
   * `scoresOnly`, only the last two layers' outputs (scores and probabilities) are copied out of
   * the runtime: a batch job that reads the answers alone skips copying every feature map.
   * @throws {RangeError} when the input's length is not batch x input size or holds NaN/Infinity.
   */
  run(input: Float32Array, batch?: number, options?: RunOptions): Promise<RunResult>;
  dispose(): Promise<void>;
}

/** What {@link LoadedModel.run} copies out. */
export interface RunOptions {
  /** Only the last two layers (the scores and the probabilities). Default false: every layer. */
  scoresOnly?: boolean;
}

/** The model could not be made ready: download failed, bytes unreadable, no backend worked. */

type OrtModule = typeof Ort;
const isNode =
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node ===
  'string';
/** The providers models actually run on (`webgl` falls back to wasm; see loadModel). */
type Runtime = Exclude<Backend, 'webgl'>;
const runtimes = new Map<Runtime, Promise<OrtModule>>();

/** Imports only the onnxruntime-web build the backend needs, once. */
function runtimeFor(backend: Runtime): Promise<OrtModule> {
  let r = runtimes.get(backend);
  if (!r) {
    r =
      backend === 'webgpu'
        ? import('onnxruntime-web/webgpu')
        : // In Node the package's root export is its Node build (wasm only).
          isNode
          ? import('onnxruntime-web')
          : import('onnxruntime-web/wasm');
    runtimes.set(backend, r);
    r.catch(() => runtimes.delete(backend));
  }
  return r;
}

/** Whether the browser can run this backend at all (cheap checks, no runtime download). */
export async function backendAvailable(backend: Backend): Promise<boolean> {
  if (backend === 'wasm') return typeof WebAssembly === 'object';
  if (isNode || typeof navigator === 'undefined') return false;
  if (backend === 'webgpu') {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    if (!gpu) return false;
    try {
      return (await gpu.requestAdapter()) !== null;
    } catch {
      return false;
    }
  }
  if (typeof document === 'undefined') return false;
  const canvas = document.createElement('canvas');
  return Boolean(canvas.getContext('webgl2') ?? canvas.getContext('webgl'));
}

/**
 * Whether WebGPU runs on a real GPU: not a fallback adapter, and not SwiftShader (Chromium's
 * software adapter, which runs on the CPU).
 */
export async function hardwareWebGpu(): Promise<boolean> {
  if (isNode || typeof navigator === 'undefined') return false;
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  const adapter = await gpu?.requestAdapter().catch(() => null);
  if (!adapter) return false;
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  if (info.isFallbackAdapter) return false;
  return !/swiftshader/i.test(`${info.vendor} ${info.architecture} ${info.description}`);
}

/**
 * What `auto` picks. A batch-1 digit is latency-bound (a GPU read-back alone costs more than the
 * whole wasm run), so interactive work uses wasm. Batches use WebGPU only on a real GPU: on a
 * software adapter tests/bench measured wasm faster at every batch size up to 1,024 (see
 * tests/bench/RESULTS.md).
 */
export async function chooseBackend(workload: Workload = 'interactive'): Promise<Backend> {
  if (workload === 'batch' && (await hardwareWebGpu())) return 'webgpu';
  return 'wasm';
}

const modelProgress = ({ loaded, total }: ByteProgress, backend: Backend): LoadProgress => ({
  phase: 'model',
  backend,
  loaded,
  ...(total ? { total } : {}),
  message: `Downloading the model: ${loaded} bytes`,
});

async function downloadModel(
  url: string | URL,
  backend: Backend,
  onProgress: LoadModelOptions['onProgress'],
  signal?: AbortSignal,
): Promise<Uint8Array> {
  try {
    return await fetchBytes(url, (p) => onProgress?.(modelProgress(p, backend)), signal);
  } catch (err) {
    throw new ModelLoadError(
      `Could not download the model from ${url}: ${(err as Error).message.replace(/^could not download \S+: /, '')}`,
      { cause: err },
    );
  }
}

const softmaxRows = (scores: Float32Array, classes: number): Float32Array => {
  const out = new Float32Array(scores.length);
  for (let r = 0; r < scores.length / classes; r++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < classes; j++) max = Math.max(max, scores[r * classes + j]!);
    let sum = 0;
    for (let j = 0; j < classes; j++)
      sum += out[r * classes + j] = Math.exp(scores[r * classes + j]! - max);
    for (let j = 0; j < classes; j++) out[r * classes + j]! /= sum;
  }
  return out;
};

interface SessionState {
  ort: OrtModule;
  session: Ort.InferenceSession;
  backend: Runtime;
}

async function createSession(
  bytes: Uint8Array,
  backend: Runtime,
  opts: LoadModelOptions,
): Promise<SessionState> {
  opts.onProgress?.({ phase: 'runtime', backend, message: `Loading the ${backend} runtime` });
  const ort = await runtimeFor(backend);
  if (opts.wasmPaths) ort.env.wasm.wasmPaths = opts.wasmPaths;
  // One thread: cross-origin isolation (needed for threads) is not something a course page can
  // count on, and a digit is far too small to split.
  ort.env.wasm.numThreads = 1;
  opts.onProgress?.({ phase: 'session', backend, message: `Preparing the model on ${backend}` });
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: [backend],
    graphOptimizationLevel: 'all',
  });
  return { ort, session, backend };
}

/**
 * Loads a shipped digit model (or any ONNX file written by @receptive/onnx) on onnxruntime-web.
 * Falls back to wasm when the requested GPU backend is missing or fails, and again later if the
 * GPU device is lost mid-session; the page keeps working either way.
 *
 * @throws {ModelLoadError} when the file cannot be downloaded or read, or no backend works.
 * @example
 * const model = await loadModel('cnn', { onProgress: (p) => (status.textContent = p.message) });
 * const { probs, activations } = await model.run(toMnistInput(drawing).pixels);
 */
export async function loadModel(
  name: ModelName | string,
  opts: LoadModelOptions = {},
): Promise<LoadedModel> {
  const started = performance.now();
  const requested = opts.backend ?? 'auto';
  if (!['auto', 'webgpu', 'webgl', 'wasm'].includes(requested)) {
    throw new RangeError(
      `loadModel: backend "${requested}" is not one of auto, webgpu, webgl, wasm`,
    );
  }
  const wanted: Backend = requested === 'auto' ? await chooseBackend(opts.workload) : requested;
  let backend: Runtime = wanted === 'webgl' ? 'wasm' : wanted;
  let fallbackReason: string | null = null;
  if (wanted === 'webgl') {
    // Measured with onnxruntime-web 1.30: its WebGL backend rejects the symbolic batch axis, and
    // with the axis fixed it still fails with "required output ... does not have value" on the
    // per-layer outputs every figure reads. WebGPU is its GPU path.
    fallbackReason =
      "onnxruntime-web's WebGL backend cannot run these models (it drops their per-layer outputs)";
  } else if (backend !== 'wasm' && !(await backendAvailable(backend))) {
    fallbackReason = `${backend} is not available here`;
    backend = 'wasm';
  }

  const source = opts.source ?? modelUrl(name as ModelName);
  const bytes =
    source instanceof Uint8Array
      ? source
      : source instanceof ArrayBuffer
        ? new Uint8Array(source)
        : !opts.source && !opts.signal
          ? // A shipped model: the page's one download of it (assets.ts), shared with the figures.
            await modelBytes(name as ModelName, (p) => opts.onProgress?.(modelProgress(p, backend)))
          : await downloadModel(source, backend, opts.onProgress, opts.signal);

  let state: SessionState;
  try {
    state = await createSession(bytes, backend, opts);
  } catch (err) {
    if (backend === 'wasm') {
      throw new ModelLoadError(`Could not prepare model "${name}": ${(err as Error).message}`, {
        cause: err,
      });
    }
    fallbackReason = `${backend} failed (${(err as Error).message})`;
    try {
      state = await createSession(bytes, 'wasm', opts);
    } catch (err2) {
      throw new ModelLoadError(`Could not prepare model "${name}": ${(err2 as Error).message}`, {
        cause: err2,
      });
    }
  }

  const meta = state.session.inputMetadata[0];
  const inputShape = meta?.isTensor ? meta.shape.slice(1).map(Number) : [];
  if (inputShape.length === 0 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ModelLoadError(`Model "${name}" has no fixed input size after the batch axis`);
  }
  const perExample = inputShape.reduce((a, b) => a * b, 1);
  const inputName = state.session.inputNames[0]!;
  const layers = [...state.session.outputNames];
  type GPULike = { lost?: Promise<{ message: string }> };
  let gpuLost: string | null = null;
  const watchDevice = (s: SessionState) => {
    if (s.backend !== 'webgpu') return;
    // onnxruntime-web 1.30 hands out its device as a promise (older versions as the device).
    const device = (s.ort.env.webgpu as { device?: unknown }).device as
      | Promise<GPULike | undefined>
      | GPULike
      | undefined;
    void Promise.resolve(device)
      .then((d) => d?.lost)
      .then((info) => {
        if (!info) return;
        gpuLost = `the GPU device was lost (${info.message || 'no reason given'})`;
        // A run that failed before the loss was reported fell back already: name the cause.
        if (fallbackReason?.startsWith(`${s.backend} failed while running`)) {
          fallbackReason = gpuLost;
        }
      })
      .catch(() => {});
  };
  watchDevice(state);

  const runOn = async (
    s: SessionState,
    input: Float32Array,
    batch: number,
    scoresOnly: boolean,
  ): Promise<RunResult> => {
    const t0 = performance.now();
    const feeds = { [inputName]: new s.ort.Tensor('float32', input, [batch, ...inputShape]) };
    const fetched = scoresOnly ? layers.slice(-2) : layers;
    const out = await s.session.run(feeds, fetched);
    const activations: Record<string, Activation> = {};
    for (const layer of fetched) {
      const t = out[layer]!;
      activations[layer] = { dims: t.dims.map(Number), data: t.data as Float32Array };
    }
    const last = activations[layers.at(-1)!]!;
    const classes = last.dims.at(-1)!;
    // Models from @receptive/onnx end in softmax, preceded by the logits; a model that ends in
    // its scores gets the softmax computed here.
    let probs = last.data;
    let logits = activations[layers.at(-2) ?? '']?.data ?? last.data;
    let rowSum = 0;
    for (let j = 0; j < classes; j++) rowSum += probs[j]!;
    if (Math.abs(rowSum - 1) > 1e-3 || probs.some((p) => p < 0)) {
      logits = last.data;
      probs = softmaxRows(last.data, classes);
    }
    return {
      probs,
      logits,
      activations,
      backend: s.backend,
      latencyMs: performance.now() - t0,
      batch,
    };
  };

  let current = state;
  const model: LoadedModel = {
    name,
    get backend() {
      return current.backend;
    },
    get fallbackReason() {
      return fallbackReason;
    },
    inputShape,
    layers,
    loadMs: 0,
    firstRunMs: null,
    async run(input: Float32Array, batch = 1, { scoresOnly = false }: RunOptions = {}) {
      if (
        !(input instanceof Float32Array) ||
        !Number.isInteger(batch) ||
        batch < 1 ||
        input.length !== batch * perExample
      ) {
        throw new RangeError(
          `run: expected a Float32Array of ${batch} x ${perExample} values (batch ${batch} of [${inputShape.join(', ')}]), received ${input instanceof Float32Array ? input.length : Object.prototype.toString.call(input)}`,
        );
      }
      const bad = input.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0)
        throw new RangeError(`run: input value ${bad} is ${input[bad]}; expected finite numbers`);
      if (gpuLost && current.backend !== 'wasm') {
        fallbackReason = gpuLost;
        await current.session.release().catch(() => {});
        current = await createSession(bytes, 'wasm', opts);
      }
      try {
        return await runOn(current, input, batch, scoresOnly);
      } catch (err) {
        if (current.backend === 'wasm') throw err;
        // A GPU failure mid-session: answer on wasm rather than leave the reader without one.
        // (A lost device can fail the run in flight before its `lost` promise settles; the
        // watch above then renames the reason to the loss.)
        const first = ((err as Error).message ?? String(err)).split('\n')[0]!.slice(0, 200);
        fallbackReason = gpuLost ?? `${current.backend} failed while running (${first})`;
        await current.session.release().catch(() => {});
        current = await createSession(bytes, 'wasm', opts);
        return runOn(current, input, batch, scoresOnly);
      }
    },
    async dispose() {
      await current.session.release();
    },
  };

  let firstRunMs: number | null = null;
  if (opts.warmup ?? true) {
    opts.onProgress?.({ phase: 'warmup', backend: current.backend, message: 'Warming up' });
    firstRunMs = (await model.run(new Float32Array(perExample))).latencyMs;
  }
  const loadMs = performance.now() - started;
  Object.assign(model, { loadMs, firstRunMs });
  opts.onProgress?.({
    phase: 'ready',
    backend: current.backend,
    message: `Ready on ${current.backend}`,
  });
  return model;
}
