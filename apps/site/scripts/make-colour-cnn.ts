/**
 * Writes public/models/colour-cnn.onnx: a tiny colour-image CNN (3 × 32 × 32 input: conv, relu,
 * max pool, flatten, linear, softmax) with seeded random weights, exported by @receptive/onnx's
 * `toOnnx`. It is the authoring page's live example of `src` (a model of your own) and the
 * model the e2e test `own-model.test.ts` checks against the core. It is untrained: what it
 * shows is the shapes, not good answers.
 *
 * Run from apps/site: `node scripts/make-colour-cnn.ts` (the same seed writes the same bytes).
 */
import { writeFileSync } from 'node:fs';
import { layers, sequential } from '@receptive/core';
import { toOnnx } from '@receptive/onnx';

const model = sequential(
  [
    layers.conv2d({ filters: 4, kernel: 3, padding: 1, name: 'conv1' }),
    layers.relu({ name: 'relu1' }),
    layers.maxPool2d({ kernel: 2, name: 'pool1' }),
    layers.flatten({ name: 'flatten' }),
    layers.linear({ units: 10, name: 'fc' }),
    layers.softmax({ name: 'softmax' }),
  ],
  { inputShape: [3, 32, 32], seed: 17 },
);

const out = new URL('../public/models/colour-cnn.onnx', import.meta.url);
const bytes = toOnnx(model, {
  docString: 'A tiny untrained colour CNN (3 x 32 x 32) for the authoring page.',
});
writeFileSync(out, bytes);
console.log(`wrote ${out.pathname} (${bytes.length} bytes)`);
