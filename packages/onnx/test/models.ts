import { createRng, layers, type SequentialModel, sequential, type Tensor } from '@receptive/core';

/** The lesson CNN shape: conv-relu-pool-conv-relu-pool-flatten-linear-softmax. */
export const lessonCnn = (seed = 1, pool: 'max' | 'blur' = 'max'): SequentialModel =>
  sequential(
    [
      layers.conv2d({ filters: 8, kernel: 3 }),
      layers.relu(),
      pool === 'max' ? layers.maxPool2d({ kernel: 2 }) : layers.blurPool2d(),
      layers.conv2d({ filters: 16, kernel: 3 }),
      layers.relu(),
      pool === 'max' ? layers.maxPool2d({ kernel: 2 }) : layers.blurPool2d(),
      layers.flatten(),
      layers.linear({ units: 10 }),
      layers.softmax(),
    ],
    { inputShape: [1, 28, 28], seed },
  );

/** Every supported setting at once: strides, padding, no bias, average pooling, log-softmax. */
export const oddNet = (seed = 2): SequentialModel =>
  sequential(
    [
      layers.conv2d({ filters: 4, kernel: [3, 5], stride: [2, 1], padding: [1, 2], bias: false }),
      layers.relu(),
      layers.avgPool2d({ kernel: 3, stride: 2, padding: 1 }),
      layers.conv2d({ filters: 6, kernel: 2, stride: 1 }),
      layers.maxPool2d({ kernel: 2, stride: 1, padding: 1 }),
      layers.blurPool2d({ kernel: 2, filter: 5, stride: 2 }),
      layers.flatten({ name: 'features' }),
      layers.linear({ units: 7, name: 'hidden' }),
      layers.relu({ name: 'hidden_relu' }),
      layers.linear({ units: 3, bias: false, name: 'logits' }),
      layers.logSoftmax({ name: 'log_probs' }),
    ],
    { inputShape: [2, 13, 11], seed },
  );

export const mlp = (seed = 3): SequentialModel =>
  sequential(
    [
      layers.flatten(),
      layers.linear({ units: 32 }),
      layers.relu(),
      layers.linear({ units: 10 }),
      layers.softmax(),
    ],
    { inputShape: [1, 28, 28], seed },
  );

export function randomInput(model: SequentialModel, batch: number, seed: number): Tensor {
  const rng = createRng(seed);
  const shape = [batch, ...model.inputShape];
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform() * 2 - 1;
  return { shape, data };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
