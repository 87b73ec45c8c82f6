import type { JSHandle } from 'playwright-core';

/** What these helpers read of a render3d `SceneHost` in the page. */
export interface WebGLHost {
  canvas: HTMLCanvasElement;
  frames: number;
}

/** A WebGL context lost by {@link loseWebGLContext}. */
export interface LostContext {
  /** The frames the host had drawn once the loss was dispatched. */
  frames: number;
  /** The canvas whose context was lost. */
  canvas: JSHandle<HTMLCanvasElement>;
  /** Gives the context back and resolves once `webglcontextrestored` has arrived. */
  restore(): Promise<void>;
}

/**
 * Loses the WebGL context of `host`'s canvas with `WEBGL_lose_context`, as a GPU reset would, and
 * resolves once `webglcontextlost` has been dispatched.
 */
export async function loseWebGLContext(host: JSHandle<WebGLHost>): Promise<LostContext> {
  const canvas = await host.evaluateHandle((h) => h.canvas);
  const ext = await canvas.evaluateHandle(
    (c) => (c.getContext('webgl2') as WebGL2RenderingContext).getExtension('WEBGL_lose_context')!,
  );
  const frames = await host.evaluate(async (h, ext) => {
    const lost = new Promise((r) =>
      h.canvas.addEventListener('webglcontextlost', r, { once: true }),
    );
    ext.loseContext();
    await lost;
    // Chromium allows a restore only once the lost event has finished dispatching.
    await new Promise((r) => setTimeout(r, 0));
    return h.frames;
  }, ext);
  return {
    frames,
    canvas,
    restore: () =>
      canvas.evaluate(async (c, ext) => {
        const back = new Promise((r) =>
          c.addEventListener('webglcontextrestored', r, { once: true }),
        );
        ext.restoreContext();
        await back;
      }, ext),
  };
}
