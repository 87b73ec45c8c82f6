import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KERNEL_PRESETS } from '@receptive/widgets/specs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  PHOTO_FALLBACK_PATH,
  type PhotoFallback,
  photoFallback,
  photoFallbackSrc,
} from '../src/photo-fallback.ts';

// Where <PhotoConv>'s build-time output image goes, for each way Astro renders a page. The
// folders are laid out as Astro lays them out when it renders pages (see astro's
// core/build/static-build.js: the client bundle is written before pages are prerendered).

const PACKAGE_ROOT = new URL('../', import.meta.url);

let image: PhotoFallback;
beforeAll(async () => {
  image = await photoFallback(PACKAGE_ROOT, {
    photo: 'coffee',
    kernel: KERNEL_PRESETS.laplacian,
    channels: 'grey',
  });
}, 60_000);

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A build's folders: `outDir` and, inside it, Astro's default `build.client` and `build.server`. */
function buildDirs(kind: 'static' | 'server') {
  const outDir = mkdtempSync(join(tmpdir(), 'rf-photo-fallback-'));
  made.push(outDir);
  if (kind === 'static') {
    // A static build writes the client bundle and the pages straight into outDir.
    mkdirSync(join(outDir, '_astro'));
  } else {
    // With an adapter: the server bundle in server/, the client bundle (what the adapter serves
    // at the base) in client/.
    mkdirSync(join(outDir, 'client', '_astro'), { recursive: true });
    mkdirSync(join(outDir, 'server'));
  }
  return {
    outDir,
    dirs: {
      outDir: pathToFileURL(`${outDir}/`),
      client: pathToFileURL(`${join(outDir, 'client')}/`),
    },
  };
}

/** Every file under `dir`, relative to it. */
const filesUnder = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();

/** The file a server serving `servedDir` at `base` answers `url` with. */
const servedFile = (servedDir: string, base: string, url: string) => {
  expect(url.startsWith(base)).toBe(true);
  return join(servedDir, url.slice(base.length));
};

describe('photoFallbackSrc', () => {
  it('writes the image where a static build serves it, and links it under the base', () => {
    const { outDir, dirs } = buildDirs('static');
    const src = photoFallbackSrc(
      image,
      { dev: false, prerendered: true },
      { ...dirs, base: '/course' },
    );
    expect(src).toBe(`/course/${PHOTO_FALLBACK_PATH}${image.fileName}`);
    expect(readFileSync(servedFile(outDir, '/course/', src))).toEqual(Buffer.from(image.webp));
    expect(existsSync(join(outDir, 'client'))).toBe(false);
  });

  it("writes a prerendered page's image into build.client in a build with a server adapter", () => {
    const { outDir, dirs } = buildDirs('server');
    const client = join(outDir, 'client');
    const src = photoFallbackSrc(image, { dev: false, prerendered: true }, { ...dirs, base: '/' });
    expect(src).toBe(`/${PHOTO_FALLBACK_PATH}${image.fileName}`);
    // The adapter serves build.client at the base: the link resolves to the file written.
    expect(readFileSync(servedFile(client, '/', src))).toEqual(Buffer.from(image.webp));
    // Nothing outside build.client, which is all that is deployed as static files.
    expect(filesUnder(outDir)).toEqual([join('client', PHOTO_FALLBACK_PATH, image.fileName)]);
  });

  it('inlines the image, writing nothing, on a page rendered on demand', () => {
    // At request time, on the server: the build's folders may be there (the same machine) or
    // not (deployed elsewhere). Neither may be written to.
    const { outDir, dirs } = buildDirs('server');
    const gone = join(outDir, 'deployed-elsewhere');
    for (const where of [
      dirs,
      { outDir: pathToFileURL(`${gone}/`), client: pathToFileURL(`${gone}/client/`) },
    ]) {
      const src = photoFallbackSrc(
        image,
        { dev: false, prerendered: false },
        { ...where, base: '/' },
      );
      expect(src.startsWith('data:image/webp;base64,')).toBe(true);
      expect(Buffer.from(src.slice(src.indexOf(',') + 1), 'base64')).toEqual(
        Buffer.from(image.webp),
      );
    }
    expect(filesUnder(outDir)).toEqual([]);
    expect(existsSync(gone)).toBe(false);
  });

  it('inlines the image under the dev server', () => {
    const { outDir, dirs } = buildDirs('static');
    for (const prerendered of [true, false]) {
      const src = photoFallbackSrc(image, { dev: true, prerendered }, { ...dirs, base: '/' });
      expect(src.startsWith('data:image/webp;base64,')).toBe(true);
    }
    expect(filesUnder(outDir)).toEqual([]);
  });
});
