/**
 * What convolves `<rf-photo-conv>`'s image, apart from painting and accessibility: the GPU
 * engine's lifecycle (started on demand, dropped for the core's CPU convolution when it fails or
 * its device is lost) and the queue (one run at a time; requests that pile up collapse into the
 * newest). No DOM: the CPU path runs in Node, where packages/widgets/test checks it.
 */
import type { GpuEngine } from './photo-engine.js';
import { cpuConvolve, type FloatImage } from './photo-library.js';

/** What ran a convolution: `webgpu`, `webgl` (tfjs) or `cpu` (@receptive/core). */
export type PhotoEngineName = 'webgpu' | 'webgl' | 'cpu';

/** One finished run. */
export interface PhotoRun {
  input: FloatImage;
  output: FloatImage;
  kernel: number[];
  engine: PhotoEngineName;
  /** Convolution plus read-back, in milliseconds. */
  ms: number;
}

/** How to build a {@link PhotoConvolver}. */
export interface PhotoConvolverOptions {
  /** Each finished run, in order. */
  onRun: (run: PhotoRun) => void;
  /** The GPU engine stopped (`backend`: what it was); the CPU convolves from now on. */
  onGpuLost?: (backend: string, reason: string) => void;
}

/** The GPU engine's code (TensorFlow.js) did not download; asking again may succeed. */
export class EngineDownloadError extends Error {
  constructor(detail: string) {
    super(`its code did not download (${detail})`);
    this.name = 'EngineDownloadError';
  }
}

/**
 * Runs the figure's convolutions, one at a time, on the GPU engine once one started, else on
 * the CPU.
 *
 * @example
 * const convolver = new PhotoConvolver({ onRun: (run) => paint(run) });
 * convolver.request(image, kernel); // runs now on the CPU
 * await convolver.startGpu(['webgpu', 'webgl']); // later runs on the GPU
 */
export class PhotoConvolver {
  #gpu: GpuEngine | null = null;
  #next: { input: FloatImage; kernel: number[] } | null = null;
  #busy = false;
  #idle: Promise<void> = Promise.resolve();

  constructor(private readonly options: PhotoConvolverOptions) {}

  /** What runs the next convolution. */
  get engine(): PhotoEngineName {
    return (this.#gpu?.backend as 'webgpu' | 'webgl' | undefined) ?? 'cpu';
  }

  /** Whether a run is in progress (a camera drops its frames meanwhile). */
  get busy(): boolean {
    return this.#busy;
  }

  /** Resolves when every requested run has finished. */
  get idle(): Promise<void> {
    return this.#idle;
  }

  /**
   * Loads TensorFlow.js (megabytes, so only now) and starts the first of `backends` that works;
   * the next run uses it. Throws when none starts (the CPU keeps convolving).
   */
  async startGpu(backends: readonly string[]): Promise<void> {
    let engine: typeof import('./photo-engine.js');
    try {
      engine = await import('./photo-engine.js');
    } catch (err) {
      throw new EngineDownloadError((err as Error).message);
    }
    this.#gpu = await engine.startGpuEngine([...backends], (reason) => this.#lose(reason));
  }

  /** Asks for a run of `input` with `kernel`; runs that pile up collapse into the newest. */
  request(input: FloatImage, kernel: readonly number[]): void {
    this.#next = { input, kernel: [...kernel] };
    if (!this.#busy) this.#idle = this.#drain();
  }

  async #drain(): Promise<void> {
    this.#busy = true;
    try {
      while (this.#next) {
        const job = this.#next;
        this.#next = null;
        this.options.onRun(await this.#run(job.input, job.kernel));
      }
    } finally {
      this.#busy = false;
    }
  }

  async #run(input: FloatImage, kernel: number[]): Promise<PhotoRun> {
    const t0 = performance.now();
    let engine = this.engine;
    let output: FloatImage;
    try {
      output = this.#gpu ? await this.#gpu.run(input, kernel) : cpuConvolve(input, kernel);
    } catch (err) {
      this.#lose((err as Error).message);
      engine = 'cpu';
      output = cpuConvolve(input, kernel);
    }
    return { input, output, kernel, engine, ms: performance.now() - t0 };
  }

  #lose(reason: string): void {
    if (!this.#gpu) return;
    const was = this.#gpu.backend;
    this.#gpu = null;
    this.options.onGpuLost?.(was, reason);
  }
}
