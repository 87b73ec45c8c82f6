// @receptive/render3d in Chromium: main-thread time per frame to update every activation of the
// render3d example's CNN (1x28x28, 8x26x26, 8x13x13, 16x11x11, 16x5x5, dense 10, softmax 10), an
// 8/16 network on synthetic weights (the shipped lesson CNN is 12/20), and render it
// at 1280x720, and draw calls per frame, against the same scene built as one mesh per cell.
// Goals: <= 4 ms per frame, >= 10x faster than the naive build. WebGL2 on SwiftShader here
// (no GPU): the GPU's share of a frame runs on the CPU too, in Chromium's GPU process.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { launchBrowser } from '@receptive/e2e/lib/browser';
import { serveSite } from '@receptive/e2e/lib/server';
import type { Row, Suite } from '../harness.ts';
import { median } from '../harness.ts';
import { type FrameResult, timeScene } from '../render3d/scenes.ts';

const require = createRequire(import.meta.url);
const EXAMPLE_DIST = `${dirname(require.resolve('@receptive/render3d/package.json'))}/example/dist`;
const FRAMES = Number(process.env['RENDER3D_FRAMES'] ?? 120);
const GOAL_MS = 4;

const p95 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]!;
};

const suite: Suite = {
  name: 'render3d in Chromium: NetworkView vs one mesh per cell (WebGL2, 1280x720)',
  async run(log) {
    const server = await serveSite(EXAMPLE_DIST);
    const browser = await launchBrowser();
    try {
      const results: Partial<Record<'ours' | 'naive', FrameResult>> = {};
      let renderer = 'unknown';
      for (const scene of ['ours', 'naive'] as const) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
        await page.goto(`${server.origin}/playground.html`);
        await page.waitForFunction(
          () => (window as unknown as { playgroundReady?: boolean }).playgroundReady,
        );
        if (scene === 'ours') {
          renderer = await page.evaluate(() => {
            const gl = document.createElement('canvas').getContext('webgl2');
            const ext = gl?.getExtension('WEBGL_debug_renderer_info');
            return ext ? String(gl!.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : 'unknown';
          });
        }
        results[scene] = await page.evaluate(timeScene, {
          scene,
          // The naive build takes tens of ms a frame: fewer frames keep the suite short.
          frames: scene === 'ours' ? FRAMES : Math.max(20, Math.round(FRAMES / 4)),
          warmup: 10,
        });
        await page.close();
      }
      const ours = results.ours!;
      const naive = results.naive!;
      const oursMs = median(ours.ms);
      const oursP95 = p95(ours.ms);
      const verdict = (ms: number) => (ms <= GOAL_MS ? 'met' : 'MISSED');
      log(`Chromium ${browser.version()}, WebGL renderer: ${renderer}; device-pixel ratio 1`);
      log(
        `NetworkView: ${oursMs.toFixed(2)} ms/frame median, ${oursP95.toFixed(2)} ms p95 over ${ours.ms.length} frames (goal <= ${GOAL_MS} ms: median ${verdict(oursMs)}, p95 ${verdict(oursP95)}); ${ours.drawCalls} draw calls per frame, ${ours.objects} scene objects`,
      );
      log(
        `one mesh per cell: ${median(naive.ms).toFixed(2)} ms/frame median, ${p95(naive.ms).toFixed(2)} ms p95 over ${naive.ms.length} frames; ${naive.drawCalls} draw calls per frame, ${naive.objects} scene objects`,
      );
      log(
        `frame gap (wall time between animation frames, GPU process included): ${median(ours.intervals).toFixed(1)} ms vs ${median(naive.intervals).toFixed(1)} ms`,
      );
      const row: Row = {
        workload: 'lesson CNN: update every activation + render one frame (main thread)',
        peer: 'three.js, one mesh per cell',
        unit: 'us/run',
        ours: oursMs * 1000,
        theirs: median(naive.ms) * 1000,
        speedup: median(naive.ms) / oursMs,
        goal: 10,
        runs: ours.ms.length,
      };
      return [row];
    } finally {
      await browser.close();
      await server.close();
    }
  },
};

export default suite;
