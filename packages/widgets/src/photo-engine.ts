/**
 * The GPU half of `<rf-photo-conv>`: TensorFlow.js with its WebGPU and WebGL backends, driven
 * through @receptive/core/tfjs. Only `photo-conv.ts` imports this module, and only dynamically,
 * so tfjs (megabytes) is fetched when a photo figure nears the viewport, never with the page.
 */
import { convolveImage, useBackend } from '@receptive/core/tfjs';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { FloatImage } from './photo-library.js';

/** How long a failed WebGPU run waits for `device.lost` to say why, in milliseconds. */
const LOSS_GRACE_MS = 500;

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
  const b = tf.backend() as unknown as {
    gpgpu?: { gl?: WebGL2RenderingContext };
    device?: { lost?: Promise<{ message?: string }> };
  };
  let lost: string | null = null;
  // A read-back in flight when the context goes never settles (tfjs polls a fence that a lost
  // context never signals), so every run races it against the loss.
  let rejectLost: (err: Error) => void = () => {};
  const lostSignal = new Promise<never>((_, reject) => {
    rejectLost = reject;
  });
  lostSignal.catch(() => {});
  const lose = (reason: string) => {
    if (lost !== null) return;
    lost = reason;
    rejectLost(new Error(reason));
    onLost(reason);
  };
  const canvas = b.gpgpu?.gl?.canvas;
  if (canvas && 'addEventListener' in canvas) {
    canvas.addEventListener('webglcontextlost', () => lose('the WebGL context was lost'));
  }
  void b.device?.lost?.then((info) =>
    lose(`the WebGPU device was lost (${info.message || 'no reason given'})`),
  );
  return {
    backend,
    async run(image, kernel) {
      if (lost !== null) throw new Error(lost);
      const out = tf.tidy(() =>
        convolveImage(tf.tensor3d(image.data, [image.h, image.w, image.c]), kernel),
      );
      try {
        const data = (await Promise.race([out.data(), lostSignal])) as Float32Array;
        if (b.gpgpu?.gl?.isContextLost()) throw new Error('the WebGL context was lost');
        return { w: image.w, h: image.h, c: image.c, data };
      } catch (err) {
        // A WebGPU read-back cut short by the device going fails in its own words ("Buffer was
        // unmapped before mapping was resolved") a moment before `device.lost` settles. Wait
        // that moment, so the failure is reported as what it is: the device was lost.
        if (lost === null && b.device?.lost) {
          await Promise.race([
            lostSignal.catch(() => {}),
            new Promise((resolve) => setTimeout(resolve, LOSS_GRACE_MS)),
          ]);
        }
        if (lost !== null) throw new Error(lost);
        throw err;
      } finally {
        out.dispose();
      }
    },
  };
}
