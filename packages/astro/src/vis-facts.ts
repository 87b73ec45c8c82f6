/**
 * The visualization lesson's numbers for readers without JavaScript, computed at build time by
 * @receptive/core from the files @receptive/models ships: the test digits that make a channel of
 * the CNN fire most (the same ranking the live figure makes), and the shortcut model's card.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  type ChannelMaxima,
  channelMaxima,
  type Region,
  rankChannel,
  receptiveField,
  type SequentialModel,
} from '@receptive/core';
import { chunkCount, chunkFile, DIGIT_SETS, decodeDigits, type ModelCard } from '@receptive/models';

const modelsPackage = createRequire(import.meta.url).resolve('@receptive/models/package.json');
const modelsDir = dirname(modelsPackage);

/** One of a channel's top test digits. */
export interface TopFact {
  index: number;
  label: number;
  value: number;
  region: Region;
}

let cnn: Promise<SequentialModel> | null = null;
let scored: Promise<{ labels: Uint8Array; maxima: Record<string, ChannelMaxima> }> | null = null;

// @receptive/onnx is a dependency of @receptive/models, resolved from there as the ONNX runtime is.
function loadCnn(): Promise<SequentialModel> {
  cnn ??= (async () => {
    const onnx = createRequire(modelsPackage).resolve('@receptive/onnx');
    const { fromOnnx } = (await import(pathToFileURL(onnx).href)) as {
      fromOnnx(b: Uint8Array): SequentialModel;
    };
    return fromOnnx(new Uint8Array(readFileSync(join(modelsDir, 'models', 'cnn.onnx'))));
  })();
  return cnn;
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
      const d = decodeDigits(
        new Uint8Array(gunzipSync(readFileSync(join(modelsDir, 'data', chunkFile('test', i))))),
      );
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
