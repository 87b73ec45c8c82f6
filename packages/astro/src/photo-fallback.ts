/**
 * The no-JavaScript output of `<PhotoConv>`: the bundled photo convolved at build time by the
 * same code the live figure runs on the CPU (`toFloatImage`, `cpuConvolve` on @receptive/core's
 * conv2d, `paintMode` and `paint` from @receptive/widgets), encoded as WebP with sharp.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cpuConvolve,
  fitSize,
  type PhotoName,
  paint,
  paintMode,
  toFloatImage,
} from '@receptive/widgets/specs';
import type { OutputInfo } from 'sharp';
import { astroRequire } from './png.ts';

/** Where, under the site's base, the computed images are served. */
export const PHOTO_FALLBACK_PATH = '_receptive/photo-conv/';

// Lossy WebP at this quality keeps the lesson's edge maps near the size of the photos themselves
// (about 37 KB for horizontal edges on the coffee photo; lossless is 167 KB). The loss is in
// fine detail: 16 x 16 block averages stay within a few levels of the exact colours.
const WEBP_QUALITY = 75;

export interface PhotoFallback {
  /** The encoded WebP file. */
  webp: Uint8Array;
  /** File name: the photo, the channels and a hash of the bytes. */
  fileName: string;
  width: number;
  height: number;
  /** How the output was coloured, with the sentence that explains it. */
  mode: ReturnType<typeof paintMode>;
}

const cache = new Map<string, Promise<PhotoFallback>>();

/**
 * The convolved photo for one (photo, kernel, channels), computed once per build process
 * (pages that show the same figure share it).
 * @param root The site's root (`root` from `astro:config/server`): @receptive/astro, and through
 *   it sharp and the widgets' photos, are resolved from there, wherever the build put its chunks.
 * @example const out = await photoFallback(root, { photo: 'coffee', kernel: KERNEL_PRESETS.laplacian, channels: 'grey' });
 */
export function photoFallback(
  root: URL,
  opts: { photo: PhotoName; kernel: readonly number[]; channels: 'grey' | 'rgb' },
): Promise<PhotoFallback> {
  const key = `${opts.photo}|${opts.kernel.join(',')}|${opts.channels}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = compute(root, opts);
    cache.set(key, hit);
    // A failure is reported once and not cached, so a later page tries again.
    hit.catch(() => cache.delete(key));
  }
  return hit;
}

async function compute(
  root: URL,
  {
    photo,
    kernel,
    channels,
  }: { photo: PhotoName; kernel: readonly number[]; channels: 'grey' | 'rgb' },
): Promise<PhotoFallback> {
  const { sharp, req } = astroRequire(root);
  const file = req.resolve(`@receptive/widgets/assets/photos/${photo}.webp`);
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    const meta = await sharp(file).metadata();
    // The live figure scales its input to fit PHOTO_MAX_SIDE; the bundled photos already do.
    const fit = fitSize(meta.width, meta.height);
    const image = sharp(file);
    if (fit.w !== meta.width || fit.h !== meta.height) image.resize(fit.w, fit.h, { fit: 'fill' });
    decoded = await image.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new Error(`PhotoConv: could not decode ${file} (${(err as Error).message})`);
  }
  const { data, info } = decoded;
  const { width, height } = info;
  const rgba = new Uint8ClampedArray(data.buffer, data.byteOffset, data.length);
  const out = cpuConvolve(toFloatImage(rgba, width, height, channels), kernel);
  const mode = paintMode(kernel, out);
  const painted = new Uint8ClampedArray(width * height * 4);
  paint(out, mode, painted);
  const webp = await sharp(Buffer.from(painted.buffer), { raw: { width, height, channels: 4 } })
    .removeAlpha()
    .webp({ quality: WEBP_QUALITY, effort: 6 })
    .toBuffer();
  const hash = createHash('sha256').update(webp).digest('hex').slice(0, 10);
  return {
    webp: new Uint8Array(webp),
    fileName: `${photo}-${channels}-${hash}.webp`,
    width,
    height,
    mode,
  };
}

/**
 * The `src` of the computed image for the page being rendered. A page rendered ahead of time
 * (`astro build`, including the prerendered pages of a build with a server adapter) gets a file
 * written next to the site's other files ({@link emitPhotoFallback}). The dev server and pages
 * rendered on demand (`output: 'server'`, or `prerender = false`) get the image inline as a
 * `data:` URL: they run while requests are served, where the build's folders are not what is
 * served (or not there at all), so nothing may be written to disk.
 * @param page `dev` is `import.meta.env.DEV`; `prerendered` is `Astro.isPrerendered`.
 * @param dirs `outDir`, `build.client` and `base` from `astro:config/server`.
 */
export function photoFallbackSrc(
  image: PhotoFallback,
  page: { dev: boolean; prerendered: boolean },
  dirs: { outDir: URL; client: URL; base: string },
): string {
  if (page.dev || !page.prerendered) return photoFallbackDataUrl(image);
  return emitPhotoFallback(image, dirs);
}

/**
 * Writes the image into a build and returns its URL under `base`. Call it only while the build
 * renders pages (see {@link photoFallbackSrc}). Static builds serve `outDir` at the base; builds
 * with an adapter serve `build.client` (Astro has written the client bundle there before it
 * prerenders a page), so the file goes there when that folder is present.
 */
export function emitPhotoFallback(
  image: PhotoFallback,
  dirs: { outDir: URL; client: URL; base: string },
): string {
  const client = fileURLToPath(dirs.client);
  const dir = join(existsSync(client) ? client : fileURLToPath(dirs.outDir), PHOTO_FALLBACK_PATH);
  const path = join(dir, image.fileName);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, image.webp);
  }
  return `${dirs.base.replace(/\/?$/, '/')}${PHOTO_FALLBACK_PATH}${image.fileName}`;
}

/** The image as a `data:` URL, for the dev server and pages rendered on demand. */
export function photoFallbackDataUrl(image: PhotoFallback): string {
  return `data:image/webp;base64,${Buffer.from(image.webp).toString('base64')}`;
}
