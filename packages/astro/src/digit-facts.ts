/**
 * The digit-recognition lesson's numbers for readers without JavaScript, computed at build time by
 * @receptive/core from the files @receptive/models ships, with the live figures' own code: the
 * loss example of a test digit through the shipped MLP, and each lecture network's layers with
 * their output shapes and parameter counts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { type LayerSpec, layers, type SequentialModel, sequential } from '@receptive/core';
import { chunkFile, DIGIT_SETS, decodeDigits } from '@receptive/models';
import { lessonCnn } from '@receptive/models/recipes';
import { type LossExample, lossExample } from '@receptive/widgets/specs';

const modelsPackage = createRequire(import.meta.url).resolve('@receptive/models/package.json');
const modelsDir = dirname(modelsPackage);

async function loadModel(name: string): Promise<SequentialModel> {
  const onnx = createRequire(modelsPackage).resolve('@receptive/onnx');
  const { fromOnnx } = (await import(pathToFileURL(onnx).href)) as {
    fromOnnx(b: Uint8Array): SequentialModel;
  };
  return fromOnnx(new Uint8Array(readFileSync(join(modelsDir, 'models', `${name}.onnx`))));
}

/** Test digit `index`: its 784 grey levels and label. */
function testDigit(index: number): { pixels: Float32Array; label: number } {
  const size = DIGIT_SETS.test.chunkSize;
  const d = decodeDigits(
    new Uint8Array(
      gunzipSync(
        readFileSync(join(modelsDir, 'data', chunkFile('test', Math.floor(index / size)))),
      ),
    ),
  );
  const i = index % size;
  return { pixels: d.pixels.slice(i * 784, (i + 1) * 784), label: d.labels[i]! };
}

/** The loss example the live `<rf-digit-loss>` opens with, computed the same way. */
export async function lossFacts(
  digit: number,
  label?: number,
): Promise<LossExample & { digit: number; trueLabel: number }> {
  const d = testDigit(digit);
  const model = await loadModel('mlp');
  return { ...lossExample(model, d.pixels, label ?? d.label), digit, trueLabel: d.label };
}

/** One layer of a lecture network: name, kind, output shape and parameters. */
export interface LayerFact {
  name: string;
  kind: string;
  outputShape: number[];
  parameters: number;
}

/** The three networks of the lecture's "Handwritten Digit Recognition" slides. */
export const LECTURE_NETWORKS: Record<'mlp' | 'one-block' | 'two-block', () => LayerSpec[]> = {
  mlp: () => [
    layers.flatten({ name: 'flatten' }),
    layers.linear({ units: 512, name: 'hidden' }),
    layers.relu({ name: 'relu' }),
    layers.linear({ units: 10, name: 'logits' }),
    layers.softmax({ name: 'probs' }),
  ],
  'one-block': () => [
    layers.conv2d({ filters: 8, kernel: 3, name: 'conv1' }),
    layers.relu({ name: 'relu1' }),
    layers.maxPool2d({ kernel: 2, name: 'pool1' }),
    layers.flatten({ name: 'flatten' }),
    layers.linear({ units: 10, name: 'logits' }),
    layers.softmax({ name: 'probs' }),
  ],
  'two-block': () => lessonCnn('max'),
};

/** Each layer of a lecture network with its output shape and parameters, by the core. */
export function networkFacts(name: keyof typeof LECTURE_NETWORKS): {
  layers: LayerFact[];
  parameters: number;
} {
  const net = sequential(LECTURE_NETWORKS[name](), { inputShape: [1, 28, 28] });
  const cost = net.flops().layers;
  return {
    layers: net.layers.map((l, i) => ({
      name: l.name,
      kind: l.kind,
      outputShape: [...l.outputShape],
      parameters: cost[i]!.params,
    })),
    parameters: net.parameterCount(),
  };
}
