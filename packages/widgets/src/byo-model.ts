/**
 * A model of the author's or the reader's own ("bring your own model"), as data: reading an
 * ONNX file with @receptive/onnx, fitting the pad's 28 × 28 grey digit to the model's input,
 * running it with @receptive/core, and fetching a `src` URL with messages a reader can act on.
 * No DOM: importable in Node, where packages/widgets/test checks it.
 */
import { type SequentialModel, type Tensor, tensor } from '@receptive/core';
import type { LoadedModel } from '@receptive/models';
import { fromOnnx, UnsupportedOnnxError, withEveryValue } from '@receptive/onnx';
import type { LayerActivation } from './digit-run.js';
import { formatNumber } from './format.js';
import { custom, WidgetValueError } from './props.js';

/** The side of the pad's digit. */
export const PAD_SIDE = 28;

/** A model that cannot be shown, with the sentence that says why (shown as is). */
export class OwnModelError extends Error {
  /** True when trying again may help (a download that failed), false for a bad file. */
  readonly retry: boolean;
  constructor(message: string, retry = false, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'OwnModelError';
    this.retry = retry;
  }
}

/** A model read from a file or URL, ready to run on the pad's digits with the core. */
export interface OwnModel {
  runtime: 'core';
  /** The file's name, e.g. `colour-cnn.onnx`. */
  name: string;
  model: SequentialModel;
  /** The model's input per example: channels (1 or 3), height, width. */
  input: [number, number, number];
  /** The line said under the figure when the digit is changed to fit, else null. */
  note: string | null;
}

/**
 * Reads ONNX bytes into an {@link OwnModel}: `fromOnnx`'s own sentence for a file that is not
 * ONNX, is cut short or uses an operator the core lacks; ours for an input the pad cannot feed.
 * @throws {OwnModelError}
 * @example readOwnModel(bytes, 'my-cnn.onnx').input // [3, 32, 32]
 */
export function readOwnModel(bytes: Uint8Array, name: string): OwnModel {
  let model: SequentialModel;
  try {
    model = fromOnnx(bytes);
  } catch (err) {
    throw new OwnModelError(`${name} could not be read: ${(err as Error).message}`, false, err);
  }
  const shape = model.inputShape;
  const [c = 0, h = 0, w = 0] = shape;
  if (shape.length !== 3 || (c !== 1 && c !== 3) || h < 1 || w < 1) {
    throw new OwnModelError(
      `${name} reads an input of ${shape.join(' × ') || 'no fixed shape'}; the figure feeds a digit image, so it needs 1 or 3 channels × height × width.`,
    );
  }
  return { runtime: 'core', name, model, input: [c, h, w], note: inputNote([c, h, w]) };
}

/**
 * A model the core cannot read (an operator or setting it lacks) that onnxruntime-web runs
 * instead, every value the graph computes returned, so its maps can still be drawn.
 */
export interface OrtOwnModel {
  runtime: 'onnxruntime-web';
  name: string;
  session: LoadedModel;
  /** The model's input per example, channels first: channels (1 or 3), height, width. */
  input: [number, number, number];
  /** How the file reads images: channels first, or last (then the digit is fed so). */
  layout: 'chw' | 'hwc';
  note: string | null;
  /** The importer's sentence: why the core could not read it. */
  refusal: string;
  /** The graph's output (the answer), and the operator that computes it. */
  output: { name: string; op: string };
  /** Values drawn as feature maps: computed by image operators, channels first. */
  maps: string[];
}

/** A model of one's own, run by the core or (where the core cannot) by onnxruntime-web. */
export type AnyOwnModel = OwnModel | OrtOwnModel;

/** Operators whose outputs are channels-first maps whatever layout the file keeps. */
const MAP_OPS = new Set([
  'Conv',
  'ConvTranspose',
  'MaxPool',
  'AveragePool',
  'LpPool',
  'BatchNormalization',
  'InstanceNormalization',
  'LRN',
]);

/**
 * Reads ONNX bytes into a model the figures can run: the core's when it reads the file (every
 * layer, {@link readOwnModel}); else, for a file the core cannot express (an operator or setting
 * it lacks, `UnsupportedOnnxError`) and with `runtime: 'any'`, onnxruntime-web's, with every
 * value of the graph returned. A file that is not ONNX, or an input the pad cannot feed, is
 * refused either way.
 * @throws {OwnModelError}
 * @example const own = await openOwnModel(bytes, 'grouped.onnx', { runtime: 'any' });
 */
export async function openOwnModel(
  bytes: Uint8Array,
  name: string,
  opts: { runtime?: 'core' | 'any'; wasmPaths?: string } = {},
): Promise<AnyOwnModel> {
  let refusal: string;
  try {
    return readOwnModel(bytes, name);
  } catch (err) {
    const cause = (err as Error).cause;
    if (opts.runtime !== 'any' || !(cause instanceof UnsupportedOnnxError)) throw err;
    // The importer's sentence, without the name of the function that said it.
    refusal = cause.message.replace(/^fromOnnx: /, '');
  }
  // onnxruntime-web (megabytes) is fetched only for a model the core cannot read.
  const { loadModel } = await import('@receptive/models');
  const probed = withEveryValue(bytes);
  const dims = probed.input?.dims.slice(1) ?? [];
  const [d0, d1, d2] = dims.map((d) => d ?? 0) as [number, number, number];
  // Channels first ([C, H, W], C of 1 or 3) or last ([H, W, C]), as the file's input says.
  const layout = dims.length === 3 && (d0 === 1 || d0 === 3) ? 'chw' : 'hwc';
  const [c, h, w] = layout === 'chw' ? [d0, d1, d2] : [d2, d0, d1];
  if (dims.length !== 3 || (c !== 1 && c !== 3) || !(h > 0) || !(w > 0)) {
    throw new OwnModelError(
      `${name} reads an input of ${dims.map((d) => d ?? '?').join(' × ') || 'no fixed shape'}; the figure feeds a digit image, so it needs 1 or 3 channels × height × width.`,
    );
  }
  let session: LoadedModel;
  try {
    session = await loadModel(name, {
      source: probed.bytes,
      backend: 'wasm',
      warmup: false,
      ...(opts.wasmPaths ? { wasmPaths: opts.wasmPaths } : {}),
    });
  } catch (err) {
    throw new OwnModelError(
      `${name} could not be read by @receptive/core (${refusal}), nor run by onnxruntime-web: ${(err as Error).message}`,
    );
  }
  const outName = probed.outputs[0] ?? '';
  const out = probed.values.find((v) => v.name === outName);
  // Which values are maps (batch × channels × height × width, floats) shows once it has run: on
  // a blank image, here. A channels-last file keeps its maps channels last between image
  // operators, so only those operators' own outputs (channels first by definition) are drawn.
  let probe: Awaited<ReturnType<LoadedModel['run']>>;
  try {
    probe = await session.run(new Float32Array(c * h * w));
  } catch (err) {
    await session.dispose().catch(() => {});
    throw new OwnModelError(
      `${name} could not be read by @receptive/core (${refusal}), and onnxruntime-web could not run it: ${(err as Error).message}`,
    );
  }
  const maps = probed.values
    .filter((v) => {
      const a = probe.activations[v.name];
      const isMap = a?.data instanceof Float32Array && a.dims.length === 4;
      return v.name !== outName && isMap && (layout === 'chw' || MAP_OPS.has(v.op));
    })
    .map((v) => v.name);
  return {
    runtime: 'onnxruntime-web',
    name,
    session,
    input: [c, h, w],
    layout,
    note: inputNote([c, h, w]),
    refusal,
    output: { name: outName, op: out?.op ?? '' },
    maps,
  };
}

/** The line under the figure when the digit is changed to fit the model, else null. */
export function inputNote([c, h, w]: readonly [number, number, number]): string | null {
  const resized = h !== PAD_SIDE || w !== PAD_SIDE;
  if (!resized && c === 1) return null;
  const parts = [
    ...(resized ? [`resampled from 28 × 28 to ${h} × ${w}`] : []),
    ...(c === 3 ? ['its grey repeated in 3 colour channels'] : []),
  ];
  return `This model reads ${c} × ${h} × ${w}: the pad's digit is ${parts.join(', and ')}.`;
}

/**
 * Resamples a `sh` × `sw` image to `dh` × `dw`, bilinear with half-pixel centres (as PyTorch's
 * `interpolate(mode='bilinear', align_corners=False)` and TensorFlow's `resize`): a constant
 * image stays constant, and the same size gives the same pixels.
 */
export function resample(
  src: Float32Array,
  sh: number,
  sw: number,
  dh: number,
  dw: number,
): Float32Array {
  if (sh === dh && sw === dw) return src.slice();
  const out = new Float32Array(dh * dw);
  // Source coordinate of destination pixel i: (i + 0.5) * scale - 0.5, clamped to the image.
  const at = (i: number, scale: number, n: number) => {
    const s = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), n - 1);
    const i0 = Math.floor(s);
    return { i0, i1: Math.min(i0 + 1, n - 1), t: s - i0 };
  };
  for (let y = 0; y < dh; y++) {
    const { i0: y0, i1: y1, t: ty } = at(y, sh / dh, sh);
    for (let x = 0; x < dw; x++) {
      const { i0: x0, i1: x1, t: tx } = at(x, sw / dw, sw);
      const top = src[y0 * sw + x0]! * (1 - tx) + src[y0 * sw + x1]! * tx;
      const bottom = src[y1 * sw + x0]! * (1 - tx) + src[y1 * sw + x1]! * tx;
      out[y * dw + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/**
 * The pad's 784 grey pixels as the model's input, a [1, C, H, W] tensor: resampled to H × W
 * when that is not 28 × 28, the grey repeated in each of C channels.
 */
export function adaptDigit(pixels: Float32Array, [c, h, w]: readonly number[]): Tensor {
  const grey = resample(pixels, PAD_SIDE, PAD_SIDE, h!, w!);
  const data = new Float32Array(c! * grey.length);
  for (let ch = 0; ch < c!; ch++) data.set(grey, ch * grey.length);
  return tensor(data, [1, c!, h!, w!]);
}

/** One run of an own model on a digit: what the figures draw. */
export interface OwnRun {
  /** The input the model read, C × H × W values. */
  input: Float32Array;
  /** Every layer's output by name, `input` first. */
  activations: Record<string, LayerActivation>;
  /** The last layer's values (probabilities for a softmax model). */
  output: number[];
  /** Index of the largest output. */
  prediction: number;
}

/** Runs `own` on the pad's digit with @receptive/core: every layer's output. */
export function runOwnModel(own: OwnModel, pixels: Float32Array): OwnRun {
  const x = adaptDigit(pixels, own.input);
  const { output, activations } = own.model.forwardAll(x);
  const acts: Record<string, LayerActivation> = {};
  for (const [name, t] of Object.entries(activations))
    acts[name] = { dims: [...t.shape], data: t.data };
  const out = Array.from(output.data);
  let prediction = 0;
  for (let i = 1; i < out.length; i++) if (out[i]! > out[prediction]!) prediction = i;
  return { input: x.data, activations: acts, output: out, prediction };
}

/**
 * Runs a model of one's own on the pad's digit: with the core ({@link runOwnModel}), or with
 * onnxruntime-web, whose every 4-D value computed by an image operator (channels first) is a map.
 */
export async function runAnyOwnModel(own: AnyOwnModel, pixels: Float32Array): Promise<OwnRun> {
  if (own.runtime === 'core') return runOwnModel(own, pixels);
  const x = adaptDigit(pixels, own.input);
  const [c, h, w] = own.input;
  const fed = own.layout === 'hwc' ? chwToHwc(x.data, c, h, w) : x.data;
  const r = await own.session.run(fed);
  const acts: Record<string, LayerActivation> = {};
  for (const name of own.maps) {
    const a = r.activations[name];
    if (a && a.data instanceof Float32Array && a.dims.length === 4) acts[name] = a;
  }
  const out = Array.from(r.activations[own.output.name]?.data ?? []);
  let prediction = 0;
  for (let i = 1; i < out.length; i++) if (out[i]! > out[prediction]!) prediction = i;
  return { input: x.data, activations: acts, output: out, prediction };
}

/** C x H x W values in H x W x C order. */
function chwToHwc(data: Float32Array, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let ch = 0; ch < c; ch++)
    for (let i = 0; i < h * w; i++) out[i * c + ch] = data[ch * h * w + i]!;
  return out;
}

/** The last operator of a model of one's own, as the bars read its output (see below). */
export function lastKindOf(own: AnyOwnModel): string | undefined {
  if (own.runtime === 'core') return own.model.layers.at(-1)?.kind;
  return { Softmax: 'softmax', LogSoftmax: 'logSoftmax' }[own.output.op];
}

/**
 * What a model of one's own gives, as probabilities for the bars: a softmax's as they are, a
 * log-softmax's exponentiated, raw scores (logits) through a softmax.
 */
export function asProbabilities(out: Float32Array, lastKind: string | undefined): Float32Array {
  if (lastKind === 'softmax') return out;
  if (lastKind === 'logSoftmax') return out.map(Math.exp);
  const max = Math.max(...out);
  const e = out.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** The layers of `own` with a channels × height × width output, in order. */
export function featureMapLayers(own: AnyOwnModel): string[] {
  if (own.runtime !== 'core') return own.maps;
  return own.model.layers.filter((l) => l.outputShape.length === 3).map((l) => l.name);
}

/** The file name at the end of a URL path, e.g. `my-cnn.onnx` (the URL itself if none). */
export function fileNameOf(url: string): string {
  const path = url.split(/[?#]/)[0] ?? '';
  const last = path.split('/').filter(Boolean).at(-1);
  try {
    return last ? decodeURIComponent(last) : url;
  } catch {
    return last ?? url;
  }
}

/**
 * Downloads the ONNX file at `src` (resolved against `base`, the page's address). Only from
 * the page's own origin: the site's Content Security Policy (`connect-src 'self'`) refuses any
 * other, so that is said before asking.
 * @throws {OwnModelError} with `retry` true for a download that failed (404, a web page where
 *   the file should be, no network) and false for another site's URL.
 * @example const bytes = await fetchOwnModel('/models/my-cnn.onnx', location.href);
 */
export async function fetchOwnModel(
  src: string,
  base: string,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  let url: URL;
  try {
    url = new URL(src, base);
  } catch {
    throw new OwnModelError(`“${src}” is not a URL the figure can read a model from.`);
  }
  const here = new URL(base).origin;
  if (url.origin !== here) {
    throw new OwnModelError(
      `The model at ${url.href} is on another site (${url.origin}). Figures read models from this site only (${here}): copy the .onnx file next to the page and point src at that.`,
    );
  }
  let res: Response;
  try {
    res = await fetch(url, { signal: signal ?? null });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new OwnModelError(
      `The model at ${src} could not be downloaded: the network did not answer (offline?).`,
      true,
    );
  }
  if (!res.ok) {
    throw new OwnModelError(
      `The model at ${src} could not be downloaded: the server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`,
      true,
    );
  }
  const type = res.headers.get('content-type') ?? '';
  if (/text\/html/i.test(type)) {
    throw new OwnModelError(
      `The model at ${src} could not be downloaded: the server sent a web page (${type.split(';')[0]}), not an ONNX file. Is the path right?`,
      true,
    );
  }
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * The line under the figure: how the digit is fitted, and, for a model onnxruntime-web runs,
 * why the core does not.
 */
export function ownNote(own: AnyOwnModel): string {
  if (own.runtime === 'core') return own.note ?? '';
  const ran = `onnxruntime-web runs ${own.name}, since @receptive/core cannot read it (${own.refusal.replace(/\.$/, '')}); the maps are the values its image operators compute.`;
  return own.note ? `${own.note} ${ran}` : ran;
}

/** "predicts 3 (0.91)": what an own model says of the digit, for the status line. */
export function ownRunText(own: AnyOwnModel, run: OwnRun): string {
  const p = run.output[run.prediction] ?? 0;
  return `${own.name} predicts ${run.prediction} (${formatNumber(p)}).`;
}

/**
 * The `src` attribute of the figures that draw a model of one's own: the URL of an `.onnx` file
 * on the page's site (another site's is refused when the figure reads it, with a sentence).
 */
export const MODEL_SRC_PARSER = custom((value: string, tag: string, attribute: string) => {
  const v = value.trim();
  if (!v || /\s/.test(v)) {
    throw new WidgetValueError(tag, attribute, value, 'the URL of an .onnx file on this site');
  }
  return v;
}, String);

/** The `src` prop of a figure's spec (one description for every figure that takes it). */
export const srcProp = (what: string) =>
  ({
    attribute: 'src',
    property: 'src',
    type: 'string',
    default: null,
    parser: MODEL_SRC_PARSER,
    example: 'src="/models/my-cnn.onnx"',
    description: `The URL of an ONNX model of your own on this site (a sequential image classifier: Conv, Relu, MaxPool, AveragePool, Gemm, Flatten, Softmax; input 1 or 3 × height × width), drawn instead of \`model\`: it is read by @receptive/onnx and run by @receptive/core on the pad's digit (resampled and repeated in 3 channels to fit its input), ${what}. A reader can also open a local .onnx file on the figure (a button, or drop it on the figure); it stays in the page.`,
  }) as const;
