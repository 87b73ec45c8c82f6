/**
 * onnxruntime-web's runtime files, served by the site itself: in dev from memory, in a build
 * copied next to the pages. Nothing is fetched from anywhere else. The plain wasm build is what one
 * digit at a time runs on (@receptive/models picks wasm for it); the WebGPU build (asyncify) is
 * what a batch job (the shift measurement) runs on where there is a real graphics card.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const ORT_FILES = [
  'ort-wasm-simd-threaded.wasm',
  'ort-wasm-simd-threaded.mjs',
  // onnxruntime-web/webgpu's runtime, fetched only by a batch job on a real graphics card.
  'ort-wasm-simd-threaded.asyncify.wasm',
  'ort-wasm-simd-threaded.asyncify.mjs',
] as const;

/** Where, under the site's base, the files are served. */
export const ORT_PATH = '_receptive/ort/';

/** The runtime files' folder under a site's base URL (`import.meta.env.BASE_URL`), for `wasm-paths`. */
export const ortUrl = (base: string): string => `${base.replace(/\/?$/, '/')}${ORT_PATH}`;

/** The folder of onnxruntime-web's dist files, as @receptive/models resolves it. */
export function ortDir(): string {
  const models = createRequire(import.meta.url).resolve('@receptive/models/package.json');
  return dirname(createRequire(models).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
}

/** Copies the runtime files into a built site's `<outDir>/<base>/_receptive/ort/`. */
export function copyOrtFiles(outDir: string): void {
  const to = join(outDir, ORT_PATH);
  mkdirSync(to, { recursive: true });
  for (const f of ORT_FILES) copyFileSync(join(ortDir(), f), join(to, f));
}

interface Middlewares {
  use(fn: (req: { url?: string }, res: ServerResponseLike, next: () => void) => void): void;
}
interface ServerResponseLike {
  setHeader(name: string, value: string): void;
  end(body: Uint8Array): void;
}

/** A Vite plugin that serves the runtime files in dev. */
export function ortDevServer() {
  return {
    name: 'receptive:ort-runtime',
    configureServer(server: { middlewares: Middlewares }) {
      server.middlewares.use((req, res, next) => {
        const file = ORT_FILES.find((f) => req.url?.split('?')[0]?.endsWith(`/${ORT_PATH}${f}`));
        if (!file) return next();
        res.setHeader(
          'Content-Type',
          file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript',
        );
        res.end(readFileSync(join(ortDir(), file)));
      });
    },
  };
}
