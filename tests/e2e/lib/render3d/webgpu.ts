import { BASE_ARGS, WEBGPU_ARGS, WEBGPU_CANVAS_EXTRA_ARGS } from '../browser.ts';
import { type Harness, startHarness } from '../harness.ts';

/**
 * Every flag of a launch that lets headless Chromium show a WebGPU canvas on SwiftShader, what
 * `launchBrowser({ webgpu: 'canvas' })` passes (see {@link WEBGPU_CANVAS_EXTRA_ARGS} for why).
 */
export const WEBGPU_CANVAS_ARGS = [...BASE_ARGS, ...WEBGPU_ARGS, ...WEBGPU_CANVAS_EXTRA_ARGS];

/** One served directory and one browser with WebGPU: a {@link Harness} with a chosen launch. */
export type GpuHarness = Harness;

/**
 * Serves `dir` and launches Chromium with WebGPU: `canvas` adds the flags that make a WebGPU
 * canvas show (see {@link WEBGPU_CANVAS_ARGS}); `adapter-only` is the shared harness's WebGPU
 * launch, where an adapter exists but a canvas cannot present.
 */
export function startGpuHarness(
  dir: string,
  launch: 'canvas' | 'adapter-only',
): Promise<GpuHarness> {
  return startHarness({ dir, webgpu: launch === 'canvas' ? 'canvas' : true });
}
