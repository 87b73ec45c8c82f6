import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { drawOnPad } from '../lib/figures.ts';
import { noProblems } from '../lib/guard.ts';
import { useHarness } from '../lib/harness.ts';
import { wakeEveryFigure } from '../lib/scroll.ts';

// Every figure's text reads in both colour schemes: the site maps the widgets' colours
// (--rf-ink, --rf-muted, ...) from its palette, which turns dark under prefers-color-scheme, and
// the widgets take them through their shadow roots. Each text of a figure is measured from
// getComputedStyle: its colour against whatever opaque background lies behind it (its own, a
// cell's, a panel's or the page's), by the WCAG formula.

const h = useHarness();

/** WCAG AA for text of normal size. */
const AA = 4.5;

/** Per page, texts that must be among those measured: the labels and status lines of its figures. */
const PAGES: Record<string, string[]> = {
  '/': ['rf-digit-pad .status', 'rf-digit-pad figcaption', 'rf-model-compare .facts'],
  '/lessons/curve-fitting/': [
    'rf-digit-pad .status',
    'rf-model-compare .facts',
    'rf-feature-maps .strongest',
  ],
  '/lessons/convolution/': [
    'rf-kernel-lab figcaption',
    'rf-kernel-lab legend',
    'rf-kernel-lab .explain',
    'rf-kernel-lab .color-key-caption',
    'rf-photo-conv .legend',
  ],
  '/lessons/convolution-layers/': ['rf-conv-layer-3d th', 'rf-conv-layer-3d .color-key-ends span'],
  '/lessons/pooling/': [
    'rf-pooling figcaption',
    'rf-pooling .count',
    'rf-pooling .caption',
    'rf-pooling .kernel td',
  ],
  '/lessons/shift-invariance/': [
    'rf-shift-block .say',
    'rf-shift-network .status',
    'rf-shift-network .heat-cap',
  ],
  '/lessons/visualization/': [
    'rf-vis-kernels .status',
    'rf-vis-top .status',
    'rf-vis-saliency .answer',
    'rf-vis-shortcut th',
  ],
  '/lessons/digit-recognition/': [
    'rf-digit-loss th',
    'rf-digit-loss .loss',
    'rf-digit-trainer .engine',
    'rf-digit-trainer .stat span',
  ],
};

/** A seven, in the pad's own 280 x 280 coordinates: the models answer, so their cards fill in. */
const SEVEN: [number, number][][] = [
  [
    [80, 60],
    [200, 60],
    [130, 230],
  ],
];

interface Measured {
  /** Where the text is: host tag, then the element's tag and classes. */
  where: string;
  text: string;
  color: string;
  background: string;
  ratio: number;
  /** Which of the page's required selectors the element matches. */
  matches: string[];
}

/**
 * Every text inside the figures' shadow roots that shows, with its contrast. Texts over a
 * gradient (a colour key's bar, the kernel lab's striped padding) and the 3D views' labels (over
 * a canvas, whose pixels style cannot tell) are left out.
 */
function measure(page: Page, required: string[]): Promise<Measured[]> {
  return page.evaluate((required) => {
    const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
    /** Any CSS colour as [r, g, b, a], 0..255 and 0..1, as the browser paints it. */
    const rgba = (css: string): [number, number, number, number] => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = '#000';
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
      return [r!, g!, b!, a! / 255];
    };
    const over = (top: number[], under: number[]) =>
      [0, 1, 2].map((i) => top[i]! * top[3]! + under[i]! * (1 - top[3]!));
    const lum = (c: number[]) => {
      const [r, g, b] = c.map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    /** The parent in the flat tree: across a shadow root to its host. */
    const up = (e: Element): Element | null =>
      e.parentElement ?? ((e.getRootNode() as ShadowRoot).host || null);

    const out: Measured[] = [];
    const visit = (root: ShadowRoot, host: string) => {
      for (const e of root.querySelectorAll('*')) {
        if (e.shadowRoot) visit(e.shadowRoot, host);
        const own = [...e.childNodes]
          .filter((n) => n.nodeType === Node.TEXT_NODE)
          .map((n) => n.textContent!.trim())
          .join(' ')
          .trim();
        if (!own || /^(style|script|option)$/.test(e.localName)) continue;
        const box = e.getBoundingClientRect();
        if (box.width <= 1 || box.height <= 1) continue;
        if (!e.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
        if (e.closest('.rf-labels, :disabled')) continue;
        // The backgrounds behind the text, nearest first, down to the first opaque one.
        const layers: number[][] = [];
        let gradient = false;
        for (let a: Element | null = e; a; a = up(a)) {
          const style = getComputedStyle(a);
          if (style.backgroundImage !== 'none') gradient = true;
          const c = rgba(style.backgroundColor);
          if (c[3] > 0) layers.push(c);
          if (c[3] >= 1) break;
        }
        if (gradient) continue;
        let bg = [255, 255, 255];
        for (const layer of layers.reverse()) bg = over(layer, bg);
        const fg = over(rgba(getComputedStyle(e).color), bg);
        const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
        out.push({
          where: `${host} ${e.localName}${e.className && typeof e.className === 'string' ? `.${e.className.trim().split(/\s+/).join('.')}` : ''}`,
          text: own.slice(0, 60),
          color: `rgb(${fg.map(Math.round).join(' ')})`,
          background: `rgb(${bg.map(Math.round).join(' ')})`,
          ratio: (hi! + 0.05) / (lo! + 0.05),
          matches: required.filter(
            (s) => s.split(' ')[0] === host && e.matches(s.split(' ').slice(1).join(' ')) === true,
          ),
        });
      }
    };
    for (const host of document.querySelectorAll('*')) {
      if (host.localName.startsWith('rf-') && host.shadowRoot)
        visit(host.shadowRoot, host.localName);
    }
    return out;
  }, required);
}

/**
 * Opens `path` in `scheme`, wakes every figure, draws a digit where there is a pad and waits for
 * the models' first answer where they answer it.
 */
async function openAwake(
  path: string,
  scheme: 'light' | 'dark',
  viewport: { width: number; height: number },
) {
  const opened = await h.open(path, { colorScheme: scheme, viewport, reducedMotion: 'reduce' });
  const { page } = opened;
  await wakeEveryFigure(page);
  if ((await page.locator('rf-digit-pad').count()) > 0) await drawOnPad(page, SEVEN);
  if ((await page.locator('rf-model-compare').count()) > 0) {
    await page.waitForFunction(
      () =>
        [
          ...(document
            .querySelector('rf-model-compare')
            ?.shadowRoot?.querySelectorAll('[data-model]') ?? []),
        ].some((c) => /^\d$/.test(c.getAttribute('data-prediction') ?? '')),
      undefined,
      { timeout: 60_000 },
    );
  }
  // Figures fill in their text once their data has arrived.
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(500);
  return opened;
}

for (const scheme of ['dark', 'light'] as const) {
  describe(`figure text in the ${scheme} colour scheme`, () => {
    for (const [path, required] of Object.entries(PAGES)) {
      it(`${path}: every text of every figure has contrast ${AA}:1 or more`, async (t) => {
        const { page, problems } = await openAwake(path, scheme, { width: 1280, height: 800 });
        assert.equal(
          await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches),
          scheme === 'dark',
        );
        const measured = await measure(page, required);
        for (const s of required) {
          assert.ok(
            measured.some((m) => m.matches.includes(s)),
            `${path}: no text of ${s} was measured (is the figure awake?)`,
          );
        }
        const low = measured.filter((m) => m.ratio < AA);
        t.diagnostic(
          `${measured.length} texts; lowest ${Math.min(...measured.map((m) => m.ratio)).toFixed(2)}:1`,
        );
        assert.deepEqual(
          low.map(
            (m) => `${m.where} "${m.text}": ${m.color} on ${m.background}, ${m.ratio.toFixed(2)}:1`,
          ),
          [],
          `${path} in the ${scheme} scheme: texts below ${AA}:1`,
        );
        assert.deepEqual(problems, noProblems());
      });
    }
  });
}
