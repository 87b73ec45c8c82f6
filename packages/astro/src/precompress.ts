/**
 * Brotli and gzip copies of a built site's big files, written next to them (`x.js.br`,
 * `x.js.gz`), for hosts that serve a precompressed file when the browser accepts it (nginx's
 * `gzip_static`/`brotli_static`, sirv's `brotli`/`gzip` options, most static hosts). The wasm
 * runtime shrinks from 14.2 MB to about 2.7 MB this way; a host that ignores the copies serves
 * the originals as before.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Files that compress: text, WebAssembly, model weights and data. Images and fonts already are. */
const COMPRESSIBLE = new Set([
  '.html',
  '.js',
  '.mjs',
  '.css',
  '.json',
  '.svg',
  '.txt',
  '.xml',
  '.wasm',
  '.onnx',
  '.bin',
  '.ttf',
]);

/** Below this a file fits a packet or two, and the copies are not worth their bytes. */
export const PRECOMPRESS_MIN_BYTES = 1400;

/** Brotli's best quality takes ~25 s on the 14 MB wasm runtime; quality 9 is ~2 s for 12% more. */
const BEST_QUALITY_BELOW = 4_000_000;

/**
 * Writes `.br` and `.gz` next to every compressible file of at least
 * {@link PRECOMPRESS_MIN_BYTES} under `dir`, where the copy saves at least 5%.
 * @returns how many files got copies, and their bytes before and after (brotli).
 */
export function precompress(dir: string): { files: number; bytes: number; brotli: number } {
  const done = { files: 0, bytes: 0, brotli: 0 };
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      if (!COMPRESSIBLE.has(extname(entry.name))) continue;
      const size = statSync(path).size;
      if (size < PRECOMPRESS_MIN_BYTES) continue;
      const raw = readFileSync(path);
      const br = brotliCompressSync(raw, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: size < BEST_QUALITY_BELOW ? 11 : 9,
          [constants.BROTLI_PARAM_SIZE_HINT]: size,
        },
      });
      // Already-compressed bytes (a gzipped data file) gain nothing: leave them alone.
      if (br.length > 0.95 * size) continue;
      writeFileSync(`${path}.br`, br);
      writeFileSync(`${path}.gz`, gzipSync(raw, { level: 9 }));
      done.files++;
      done.bytes += size;
      done.brotli += br.length;
    }
  };
  walk(dir);
  return done;
}
