import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHOTO_FALLBACK_PATH } from '../src/photo-fallback.ts';
import { ASTRO_CLI, siteEnv } from './astro-cli.ts';

// <PhotoConv> in a real `astro build` with a server adapter (test/fixtures/server-build): one
// page prerendered, one rendered on demand. The adapter serves build.client at the base.

const FIXTURE = fileURLToPath(new URL('./fixtures/server-build/', import.meta.url));
let outDir = '';

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'rf-server-build-'));
  // `astro build`, as a site's build script runs it.
  await promisify(execFile)(
    process.execPath,
    [ASTRO_CLI, 'build', '--root', FIXTURE, '--outDir', outDir, '--silent'],
    { env: siteEnv(), maxBuffer: 16 * 1024 * 1024 },
  );
}, 180_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** The `src` of the no-JavaScript output image in a page's HTML. */
const outputSrc = (html: string) => {
  const img = html.match(/<img[^>]*class="rf-output"[^>]*>/)?.[0];
  expect(img, 'the page has the output image').toBeDefined();
  return img!.match(/\ssrc="([^"]+)"/)![1]!;
};

/** The computed images the build holds, relative to outDir. */
const images = () =>
  readdirSync(outDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.parentPath.endsWith(PHOTO_FALLBACK_PATH.slice(0, -1)))
    .map((e) => join(e.parentPath, e.name).slice(outDir.length + 1))
    .sort();

describe('<PhotoConv> built with a server adapter', () => {
  it('links a prerendered page to its image in build.client, where the adapter serves it', () => {
    const client = join(outDir, 'client');
    const html = readFileSync(join(client, 'prerendered', 'index.html'), 'utf8');
    const src = outputSrc(html);
    // (Only the start of the src: a data: URL would fill the report.)
    expect(src.slice(0, 80)).toMatch(/^\/_receptive\/photo-conv\/coffee-grey-[0-9a-f]+\.webp$/);
    const file = join(client, src);
    expect(existsSync(file), `${src} is in build.client`).toBe(true);
    expect(readFileSync(file).subarray(8, 12).toString('latin1')).toBe('WEBP');
    expect(images()).toEqual([join('client', src.slice(1))]);
  });

  it('inlines the image in a page rendered on demand, and writes nothing at request time', () => {
    const before = images();
    // The built server, in a process of its own as a host runs it.
    const script = `
      const { handle } = await import(${JSON.stringify(pathToFileURL(join(outDir, 'server', 'entry.mjs')).href)});
      const res = await handle(new Request('http://localhost/on-demand/'));
      process.stdout.write(JSON.stringify({ status: res.status, html: await res.text() }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: siteEnv(),
      maxBuffer: 64 * 1024 * 1024,
    });
    const { status, html } = JSON.parse(out) as { status: number; html: string };
    expect(status).toBe(200);
    const src = outputSrc(html);
    expect(src.slice(0, 23)).toBe('data:image/webp;base64,');
    const webp = Buffer.from(src.slice(src.indexOf(',') + 1), 'base64');
    expect(webp.subarray(8, 12).toString('latin1')).toBe('WEBP');
    expect(images()).toEqual(before);
  });
});
