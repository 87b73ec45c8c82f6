/**
 * Makes the home page's lesson previews: for every lesson in content/lessons, a screenshot of
 * one of its figures as the built site draws it (Chromium at 1280 x 800, the figure live),
 * scaled into a PREVIEW_WIDTH x PREVIEW_HEIGHT WebP on the page's background, written to
 * apps/site/src/assets/previews/<slug>.webp, with each picture's alt text in previews.json.
 *
 * Run after a build, then rebuild the site: `pnpm --filter @receptive/e2e previews`. Name
 * lessons (`pnpm --filter @receptive/e2e previews shift-invariance`) to remake only theirs and
 * keep the other pictures and alt texts as they are.
 * A lesson missing from FIGURES gets its first scrolly figure, at its first step, and an alt
 * text made from its title; the home page shows no picture for a lesson without a file here.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../lib/browser.ts';
import { serveSite } from '../lib/server.ts';

const LESSONS = new URL('../../../content/lessons/', import.meta.url);
const OUT = new URL('../../../apps/site/src/assets/previews/', import.meta.url);
const PREVIEW_WIDTH = 400;
const PREVIEW_HEIGHT = 300;

interface Figure {
  /** What to photograph (Playwright selector; it reaches into open shadow roots). */
  selector: string;
  /** The scrolly step to show first, by its state. */
  step?: string;
  /** Describes the picture for a reader who cannot see it. */
  alt: string;
}

const FIGURES: Record<string, Figure> = {
  'curve-fitting': {
    selector: 'rf-scrolly > [slot="figure"]',
    step: 'compare',
    alt: 'The lesson’s first figure: logistic regression, a multilayer perceptron and a convolutional network written as short programs, each with a bar as long as its parameter count.',
  },
  convolution: {
    selector: 'rf-photo-conv .panels figure:nth-child(2) canvas',
    alt: 'A coffee cup on its saucer after the horizontal-edge kernel: the rims, the handle and the spoon stand out as coloured lines on white.',
  },
  'convolution-layers': {
    selector: 'rf-conv-layer-3d .stage',
    step: 'three',
    alt: 'A convolution layer in three dimensions: the lecture’s 7 × 7 image, three 3 × 3 filters and the three 5 × 5 maps they make, each channel set apart, with lines tracing one output unit back to the window of the image it read.',
  },
  'shift-invariance': {
    selector: 'rf-shift-network [data-model="cnn-noshift"]',
    alt: 'A max-pooling network’s answer for a handwritten 0: its probability bars, and a 9 × 9 heat map of how sure it stays when the 0 moves up to four pixels each way, pale where a shift loses the digit.',
  },
  visualization: {
    selector: 'rf-vis-saliency [data-model="cnn"] .maps',
    alt: 'A handwritten 7 under two maps of the convolutional network’s decision: the occlusion map, red where hiding a patch costs the answer most, and the gradient map, red where a touch of ink would move its score most.',
  },
  pooling: {
    selector: 'rf-pooling',
    step: 'sixteen',
    alt: 'A handwritten 7, its edge map and two max-pooled maps side by side, with lines tracing one pooled pixel back to the block of the digit it saw, colour keys for the digit and the maps, and the count of the pixels it saw.',
  },
};

/** Slugs and titles of the lessons that are built (not drafts), read from their frontmatter. */
function lessons(): { slug: string; title: string }[] {
  return readdirSync(LESSONS)
    .filter((f) => f.endsWith('.mdx'))
    .flatMap((f) => {
      const head = readFileSync(new URL(f, LESSONS), 'utf8').split(/^---$/m)[1] ?? '';
      if (/^draft:\s*true\s*$/m.test(head)) return [];
      const title = /^title:\s*(.+)$/m.exec(head)?.[1]?.trim() ?? f;
      return [{ slug: f.replace(/\.mdx$/, ''), title }];
    });
}

/** Scales a PNG into the preview box (contained, centred on `background`) and encodes WebP. */
async function toWebp(page: Page, png: Buffer, background: string): Promise<Buffer> {
  const dataUrl = await page.evaluate(
    async ({ src, w, h, background }) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = background;
      ctx.fillRect(0, 0, w, h);
      const pad = 8;
      const s = Math.min((w - 2 * pad) / img.width, (h - 2 * pad) / img.height);
      const dw = img.width * s;
      const dh = img.height * s;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(img, (w - dw) / 2, (h - dh) / 2, dw, dh);
      return canvas.toDataURL('image/webp', 0.8);
    },
    {
      src: `data:image/png;base64,${png.toString('base64')}`,
      w: PREVIEW_WIDTH,
      h: PREVIEW_HEIGHT,
      background,
    },
  );
  if (!dataUrl.startsWith('data:image/webp')) throw new Error('This browser cannot encode WebP.');
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
}

const server = await serveSite();
const browser = await launchBrowser();
const only = process.argv.slice(2);
const alts: Record<string, string> = only.length
  ? JSON.parse(readFileSync(new URL('previews.json', OUT), 'utf8'))
  : {};
try {
  for (const { slug, title } of lessons().filter((l) => !only.length || only.includes(l.slug))) {
    const figure = FIGURES[slug] ?? {
      selector: 'rf-scrolly > [slot="figure"]',
      alt: `The first figure of the lesson “${title}”.`,
    };
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      baseURL: server.origin,
      colorScheme: 'light',
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    await page.goto(`/lessons/${slug}/`);
    if (figure.step) {
      await page.locator(`[data-step][data-state="${figure.step}"]`).scrollIntoViewIfNeeded();
    }
    // A part inside a custom element exists once the element has woken, near the viewport.
    const host = /^rf-[a-z0-9-]+/.exec(figure.selector)?.[0];
    if (host) await page.locator(host).first().scrollIntoViewIfNeeded();
    const target = page.locator(figure.selector).first();
    await target.scrollIntoViewIfNeeded();
    await page.waitForLoadState('networkidle');
    // The figure draws after its code and data arrive; give its last frame time to land.
    await page.waitForTimeout(2500);
    const png = await target.screenshot({ animations: 'disabled' });
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const webp = await toWebp(page, png, background);
    writeFileSync(new URL(`${slug}.webp`, OUT), webp);
    alts[slug] = figure.alt;
    console.log(`${slug}.webp: ${(webp.length / 1024).toFixed(1)} KB`);
    await context.close();
  }
  writeFileSync(new URL('previews.json', OUT), `${JSON.stringify(alts, null, 2)}\n`);
  console.log(`Wrote ${Object.keys(alts).length} previews to ${fileURLToPath(OUT)}`);
} finally {
  await browser.close();
  await server.close();
}
