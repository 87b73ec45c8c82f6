import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';
import { renderKernelLabFallback } from '../dist/fallback.js';

// onnxruntime-web's runtime files, served by the page itself under ort/ (the elements get
// `wasm-paths="./ort/"`): nothing is fetched from anywhere else. Only the plain wasm build is
// shipped, which is what one digit at a time runs on.
const ORT_FILES = ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs'];
const modelsDir = dirname(createRequire(import.meta.url).resolve('@receptive/models/package.json'));
const ortDir = dirname(
  createRequire(`${modelsDir}/`).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'),
);

function ortRuntime(): Plugin {
  return {
    name: 'rf-ort-runtime',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const file = ORT_FILES.find((f) => req.url?.endsWith(`/ort/${f}`));
        if (!file) return next();
        res.setHeader(
          'Content-Type',
          file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript',
        );
        res.end(readFileSync(join(ortDir, file)));
      });
    },
    generateBundle() {
      for (const f of ORT_FILES) {
        this.emitFile({
          type: 'asset',
          fileName: `ort/${f}`,
          source: readFileSync(join(ortDir, f)),
        });
      }
    },
  };
}

// The kernel lab's no-JavaScript tables, computed at build time by the package itself.
function fallbacks(): Plugin {
  return {
    name: 'rf-fallbacks',
    transformIndexHtml(html) {
      return html.replace(/<!--\s*kernel-lab-fallback\s+(\S+)\s*-->/g, (_, kernel: string) =>
        renderKernelLabFallback({ kernel }),
      );
    },
  };
}

// The page imports the package by its name, as another site would; here that name points at
// the sources, so `example:dev` needs only the fallback tables built.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [ortRuntime(), fallbacks()],
  resolve: {
    // onnxruntime-web's default builds point at their .wasm files in a way bundlers copy (every
    // variant, about 70 MB); this condition picks its builds that load them from `wasm-paths`.
    conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions],
    alias: {
      '@receptive/widgets/elements': fileURLToPath(new URL('../src/elements.ts', import.meta.url)),
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2023',
    chunkSizeWarningLimit: 1500,
    // Two pages: every element on one, a scrolly on the other.
    rolldownOptions: {
      input: {
        index: fileURLToPath(new URL('index.html', import.meta.url)),
        scrolly: fileURLToPath(new URL('scrolly.html', import.meta.url)),
      },
    },
  },
});
