/**
 * The visualization lesson's numbers and pictures for readers without JavaScript, computed at
 * build time by @receptive/core from the files @receptive/models ships: the learned kernels and
 * the feature maps they make of a test digit, the test digits that make a channel of the CNN fire
 * most (the same ranking the live figure makes), the occlusion and saliency maps of a test digit
 * for the CNN and the MLP, and the shortcut model's card.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  type ChannelMaxima,
  type Conv2dLayer,
  channelMaxima,
  occlusion,
  type Region,
  rankChannel,
  receptiveField,
  type SequentialModel,
  saliency,
} from '@receptive/core';
import {
  chunkCount,
  chunkFile,
  DIGIT_SETS,
  type Digits,
  decodeDigits,
  type ModelCard,
} from '@receptive/models';
import {
  fine,
  greyImage,
  hottest,
  mapOverImage,
  maxAbs,
  OCCLUSION,
  type RgbImage,
  signedImage,
} from '@receptive/widgets/specs';

const modelsPackage = createRequire(import.meta.url).resolve('@receptive/models/package.json');
const modelsDir = dirname(modelsPackage);

/** One of a channel's top test digits. */
export interface TopFact {
  index: number;
  label: number;
  value: number;
  region: Region;
}

const models = new Map<string, Promise<SequentialModel>>();
const chunks = new Map<number, Digits>();
let scored: Promise<{ labels: Uint8Array; maxima: Record<string, ChannelMaxima> }> | null = null;

// @receptive/onnx is a dependency of @receptive/models, resolved from there as the ONNX runtime is.
function loadModel(name: 'cnn' | 'mlp'): Promise<SequentialModel> {
  let hit = models.get(name);
  if (!hit) {
    hit = (async () => {
      const onnx = createRequire(modelsPackage).resolve('@receptive/onnx');
      const { fromOnnx } = (await import(pathToFileURL(onnx).href)) as {
        fromOnnx(b: Uint8Array): SequentialModel;
      };
      return fromOnnx(new Uint8Array(readFileSync(join(modelsDir, 'models', `${name}.onnx`))));
    })();
    models.set(name, hit);
  }
  return hit;
}
const loadCnn = () => loadModel('cnn');

/** One shipped chunk of test digits, decoded once per build. */
function testChunk(i: number): Digits {
  let d = chunks.get(i);
  if (!d) {
    d = decodeDigits(
      new Uint8Array(gunzipSync(readFileSync(join(modelsDir, 'data', chunkFile('test', i))))),
    );
    chunks.set(i, d);
  }
  return d;
}

/** Test digit `index` (0 to 9999): its pixels in [0, 1] and its label. */
export function testDigitFacts(index: number): { pixels: Float32Array; label: number } {
  const size = DIGIT_SETS.test.chunkSize;
  const d = testChunk(Math.floor(index / size));
  const at = index % size;
  return { pixels: d.pixels.slice(at * 784, (at + 1) * 784), label: d.labels[at]! };
}

/** Every test digit through the CNN once; each channel's maxima of conv1 and conv2. */
function scoreAll() {
  scored ??= (async () => {
    const model = await loadCnn();
    const count = DIGIT_SETS.test.count;
    const labels = new Uint8Array(count);
    const maxima: Record<string, ChannelMaxima> = {};
    for (const l of ['conv1', 'conv2']) {
      const [c, h, w] = model.layer(l).outputShape as [number, number, number];
      maxima[l] = {
        count,
        channels: c,
        height: h,
        width: w,
        value: new Float32Array(count * c),
        at: new Int32Array(count * c),
      };
    }
    for (let i = 0; i < chunkCount('test'); i++) {
      const d = testChunk(i);
      const first = i * DIGIT_SETS.test.chunkSize;
      labels.set(d.labels, first);
      const { activations } = model.forwardAll(
        { shape: [d.count, 1, 28, 28], data: d.pixels },
        'conv2',
      );
      for (const l of ['conv1', 'conv2']) channelMaxima(activations[l]!, maxima[l], first);
    }
    return { labels, maxima };
  })();
  return scored;
}

/**
 * The `k` test digits channel `channel` of `layer` fires most on, with the receptive field of the
 * strongest unit, as the live figure ranks them.
 * @example (await topFacts('conv1', 0, 16)).map((t) => t.label)
 */
export async function topFacts(layer: string, channel: number, k: number): Promise<TopFact[]> {
  const [model, { labels, maxima }] = await Promise.all([loadCnn(), scoreAll()]);
  const m = maxima[layer];
  if (!m) throw new Error(`topFacts: received layer "${layer}", expected conv1 or conv2`);
  return rankChannel(m, channel, k, 'top').map((r) => ({
    index: r.index,
    label: labels[r.index]!,
    value: r.value,
    region: receptiveField(model, layer, { y: r.y, x: r.x }).region,
  }));
}

/** The shortcut model card's three accuracies (and how often it follows a swapped mark). */
export function shortcutFacts(): ModelCard['shortcut'] & { total: number } {
  const card = JSON.parse(
    readFileSync(join(modelsDir, 'models', 'cnn-shortcut.card.json'), 'utf8'),
  ) as ModelCard;
  return { ...card.shortcut, total: card.heldOut.total };
}

/** One kernel of {@link kernelFacts}: its slices and the feature map it makes of the digit. */
export interface KernelFact {
  channel: number;
  /** One picture per input channel, kh x kw, on the layer's common scale. */
  slices: RgbImage[];
  /** The feature map, on its own scale, and its range. */
  map: RgbImage;
  min: number;
  max: number;
}

/**
 * What `<rf-vis-kernels>` draws for test digit `digit`: every kernel of `layer` (on one scale,
 * the layer's largest weight) beside the feature map it makes, as the live figure draws them.
 */
export async function kernelFacts(
  layer: 'conv1' | 'conv2',
  digit: number,
): Promise<{ digit: RgbImage; label: number; kernels: KernelFact[]; size: number[] }> {
  const model = await loadCnn();
  const { pixels, label } = testDigitFacts(digit);
  const conv = model.layer(layer) as Conv2dLayer;
  const maps = model.forwardAll({ shape: [1, 1, 28, 28], data: pixels }, layer).activations[layer]!;
  const [k, d, kh, kw] = conv.weight.shape as [number, number, number, number];
  const [, h, w] = conv.outputShape as [number, number, number];
  const wMax = maxAbs(conv.weight.data);
  const kernels: KernelFact[] = [];
  for (let c = 0; c < k; c++) {
    const slices: RgbImage[] = [];
    for (let s = 0; s < d; s++) {
      const at = (c * d + s) * kh * kw;
      slices.push(signedImage(conv.weight.data.subarray(at, at + kh * kw), wMax, kw, kh));
    }
    const map = maps.data.subarray(c * h * w, (c + 1) * h * w);
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of map) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    kernels.push({
      channel: c,
      slices,
      map: signedImage(map, maxAbs(map), w, h),
      min: lo,
      max: hi,
    });
  }
  return { digit: greyImage(pixels), label, kernels, size: [d, kh, kw, h, w] };
}

/** One model's explanation of a digit in {@link saliencyFacts}. */
export interface SaliencyFact {
  model: 'cnn' | 'mlp';
  prediction: number;
  /** P(prediction), written as the live figure writes it. */
  probability: string;
  /** Where hiding a patch lowers P(prediction) most, in the live figure's words. */
  hottest: string;
  occlusion: RgbImage;
  saliency: RgbImage;
}

/**
 * What `<rf-vis-saliency>` draws for test digit `digit`: the occlusion map (the live figure's
 * patch and stride) and the gradient saliency map of each model's answer, over the digit.
 */
export async function saliencyFacts(
  digit: number,
): Promise<{ digit: RgbImage; label: number; models: SaliencyFact[] }> {
  const { pixels, label } = testDigitFacts(digit);
  const x = { shape: [1, 1, 28, 28], data: pixels };
  const out: SaliencyFact[] = [];
  for (const name of ['cnn', 'mlp'] as const) {
    const model = await loadModel(name);
    const occ = occlusion(model, x, OCCLUSION);
    const sal = saliency(model, x, occ.target);
    out.push({
      model: name,
      prediction: occ.target,
      probability: fine(occ.base),
      hottest: hottest(occ, occ.target),
      occlusion: mapOverImage(occ.map.data, maxAbs(occ.map.data), pixels),
      saliency: mapOverImage(sal.map.data, maxAbs(sal.map.data), pixels),
    });
  }
  return { digit: greyImage(pixels), label, models: out };
}
