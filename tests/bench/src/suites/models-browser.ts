// The shipped digit models in Chromium on onnxruntime-web: wasm vs WebGPU vs WebGL, at batch 1
// and at growing batches, session creation, first run, and bytes downloaded per backend. This
// machine has no GPU: WebGPU runs on SwiftShader (software), which is what a reader without a
// GPU gets too; a real GPU moves the crossover far lower.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { launchBrowser } from '@receptive/e2e/lib/browser';
import { modelsFixtureMounts, serveMounts } from '@receptive/e2e/lib/mounts';
import type { Row, Suite } from '../harness.ts';

const MODELS_DIR = dirname(
  createRequire(import.meta.url).resolve('@receptive/models/package.json'),
);
// WebGL is left out: onnxruntime-web's WebGL backend cannot run these models (see
// @receptive/models' README), and loadModel answers a request for it on wasm.
const BACKENDS = ['wasm', 'webgpu'] as const;
const BATCHES = [1, 16, 128, 1024];
const MODELS = ['logreg', 'mlp', 'cnn'] as const;

interface Measured {
  backend: string;
  sessionMs: number;
  firstRunMs: number;
  /** Median ms per run, by batch size. */
  perBatch: Record<number, number>;
  runs: Record<number, number>;
}

const suite: Suite = {
  name: 'digit models in Chromium: onnxruntime-web wasm vs WebGPU',
  async run(log) {
    const server = await serveMounts(modelsFixtureMounts(MODELS_DIR));
    const browser = await launchBrowser({ webgpu: true });
    const rows: Row[] = [];
    try {
      for (const name of MODELS) {
        const results: Measured[] = [];
        for (const backend of BACKENDS) {
          // A fresh context per backend: nothing cached, so the bytes counted are a first visit's.
          const context = await browser.newContext({ baseURL: server.origin });
          let bytes = 0;
          context.on('response', async (res) => {
            const len = Number((await res.allHeaders())['content-length'] ?? 0);
            if (!res.url().endsWith('.rfd.gz')) bytes += len;
          });
          const page = await context.newPage();
          await page.goto('/');
          await page.waitForSelector('body[data-ready="true"]');
          const m = (await page.evaluate(
            async ({ name, backend, batches }) => {
              // biome-ignore lint/suspicious/noExplicitAny: the fixture page puts the module on window.
              const rf = (window as any).rfModels;
              const digits = rf.joinChunks([
                await rf.loadDigitChunk('test', 0),
                await rf.loadDigitChunk('test', 1),
              ]);
              const t0 = performance.now();
              const model = await rf.loadModel(name, { backend, warmup: false });
              const sessionMs = performance.now() - t0;
              const t1 = performance.now();
              await model.run(digits.pixels.subarray(0, 784), 1);
              const firstRunMs = performance.now() - t1;
              const perBatch: Record<number, number> = {};
              const runs: Record<number, number> = {};
              for (const b of batches) {
                const input = digits.pixels.subarray(0, b * 784);
                // The page's clock ticks in steps of about 0.1 ms, so each sample times `reps`
                // back-to-back runs (at least ~2 ms); the median sample over reps is the figure.
                const probe = performance.now();
                await model.run(input, b);
                const once = Math.max(performance.now() - probe, 0.005);
                const reps = Math.max(1, Math.ceil(2 / once));
                const samples = Math.max(15, Math.min(200, Math.floor(4000 / (once * reps))));
                for (let i = 0; i < Math.min(samples * reps, 200); i++) await model.run(input, b);
                const times: number[] = [];
                for (let k = 0; k < samples; k++) {
                  const s = performance.now();
                  for (let i = 0; i < reps; i++) await model.run(input, b);
                  times.push((performance.now() - s) / reps);
                }
                times.sort((a, c) => a - c);
                const n = samples * reps;
                perBatch[b] = times[times.length >> 1]!;
                runs[b] = n;
              }
              const used = model.backend;
              await model.dispose();
              return { backend: used, sessionMs, firstRunMs, perBatch, runs };
            },
            { name, backend, batches: BATCHES },
          )) as Measured;
          await context.close();
          results.push(m);
          log(
            `${name} on ${m.backend}${m.backend === backend ? '' : ` (asked for ${backend})`}: session ${m.sessionMs.toFixed(0)} ms, first run ${m.firstRunMs.toFixed(1)} ms, ${(bytes / 1e6).toFixed(1)} MB downloaded (uncompressed); median per run ${BATCHES.map((b) => `batch ${b}: ${m.perBatch[b]!.toFixed(2)} ms`).join(', ')}`,
          );
        }
        const wasm = results.find((r) => r.backend === 'wasm')!;
        for (const other of results.filter((r) => r.backend !== 'wasm')) {
          const cross = BATCHES.find((b) => other.perBatch[b]! < wasm.perBatch[b]!);
          log(
            `${name}: ${other.backend} ${cross ? `overtakes wasm from batch ${cross}` : `does not overtake wasm up to batch ${BATCHES.at(-1)}`}`,
          );
          for (const b of [1, BATCHES.at(-1)!]) {
            rows.push({
              workload: `${name}, batch ${b}`,
              peer: `wasm (ours: ${other.backend})`,
              unit: 'us/run',
              ours: other.perBatch[b]! * 1000,
              theirs: wasm.perBatch[b]! * 1000,
              speedup: wasm.perBatch[b]! / other.perBatch[b]!,
              goal: null,
              runs: Math.min(other.runs[b]!, wasm.runs[b]!),
            });
          }
        }
      }
    } finally {
      await browser.close();
      await server.close();
    }
    return rows;
  },
};

export default suite;
