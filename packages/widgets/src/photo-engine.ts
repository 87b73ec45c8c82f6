/**
 * The GPU half of `<rf-photo-conv>`: TensorFlow.js with its WebGPU and WebGL backends, driven
 * through @receptive/core/tfjs. Only `photo-conv.ts` imports this module, and only dynamically,
 * so tfjs (megabytes) is fetched when a photo figure nears the viewport, never with the page.
 */
import { convolveImage, useBackend, watchGpuLoss } from '@receptive/core/tfjs';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { FloatImage } from './photo-library.js';

export interface GpuEngine {
  /** The tfjs backend that runs: `webgpu` or `webgl`. */
  backend: string;
  /** Convolves each channel with `kernel` (zero padding, same size) and reads the result back. */
  run(image: FloatImage, kernel: readonly number[]): Promise<FloatImage>;
}

/**
 * Starts the first of `backends` that works here. `onLost` is called once if the device or
 * context behind it goes away later (a GPU reset, a driver update, too many contexts).
 * @throws BackendUnavailableError when none starts.
 */
export async function startGpuEngine(
  backends: string[],
  onLost: (reason: string) => void,
): Promise<GpuEngine> {
  const backend = await useBackend(...backends);
  const watch = watchGpuLoss(onLost);
  return {
    backend,
    async run(image, kernel) {
      if (watch.reason !== null) throw new Error(watch.reason);
      const out = tf.tidy(() =>
        convolveImage(tf.tensor3d(image.data, [image.h, image.w, image.c]), kernel),
      );
      try {
        const data = (await watch.read(out)) as Float32Array;
        return { w: image.w, h: image.h, c: image.c, data };
      } finally {
        out.dispose();
      }
    },
  };
}
