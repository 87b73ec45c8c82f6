import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** `count` real MNIST digits (28x28, values in [0, 1]) from the `mnist` package, classes interleaved. */
export function realDigits(count: number): { images: Float32Array[]; labels: number[] } {
  const raw: number[][] = [];
  for (let d = 0; d < 10; d++)
    raw.push((require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  const images: Float32Array[] = [];
  const labels: number[] = [];
  for (let i = 0; images.length < count; i++) {
    for (let d = 0; d < 10 && images.length < count; d++) {
      images.push(Float32Array.from(raw[d]!.slice(i * 784, (i + 1) * 784)));
      labels.push(d);
    }
  }
  return { images, labels };
}
