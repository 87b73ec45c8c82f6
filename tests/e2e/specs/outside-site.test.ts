import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { conv2d, layers, receptiveField, sequential, tensor } from '@receptive/core';
import { seriousViolations } from '../lib/axe.ts';
import { noProblems } from '../lib/guard.ts';
import { type Harness, startHarness } from '../lib/harness.ts';
import { labOutput, scrollThrough } from '../lib/scroll.ts';

// Proof of reuse: @receptive/outside-site is a second course site, written as an outside author
// would write one (astro, @receptive/astro and nothing else from this repository). Its lesson
// uses <Scrolly>, <Step> and <KernelLab> without imports; one page uses <Pooling> directly.
const require = createRequire(import.meta.url);
const DIST = `${dirname(require.resolve('@receptive/outside-site/package.json'))}/dist`;

const LESSON = '/lessons/edges/';
const POOLING = '/pooling/';

const LECTURE = ['0000000', '0011100', '0111110', '0111000', '0111110', '0011100', '0000000'];
const IMAGE = tensor(Float32Array.from(LECTURE.join(''), Number), [1, 1, 7, 7]);
const HORIZONTAL = [-1, -1, -1, 2, 2, 2, -1, -1, -1];
const LAPLACIAN = [0, -1, 0, -1, 4, -1, 0, -1, 0];
const VERTICAL = [-1, 2, -1, -1, 2, -1, -1, 2, -1];
// The lesson's scrolly: each step state, the kernel attribute it sets and the kernel's numbers.
const STEPS: [string, string, number[]][] = [
  ['horizontal', 'horizontal-edge', HORIZONTAL],
  ['laplacian', 'laplacian', LAPLACIAN],
  ['vertical', VERTICAL.join(','), VERTICAL],
];

/** The core's convolution of the lecture image, row by row. */
function coreOutput(kernel: number[]): number[][] {
  const out = conv2d(IMAGE, tensor(Float32Array.from(kernel), [1, 1, 3, 3]), null);
  const [, , h, w] = out.shape as [number, number, number, number];
  return Array.from({ length: h }, (_, y) => Array.from(out.data.subarray(y * w, y * w + w)));
}

/** The input pixels a first-round pooled unit saw, traced by the core, as sorted "y,x". */
function traced(y: number, x: number): string[] {
  const net = sequential(
    [
      layers.conv2d({ filters: 1, kernel: 3, bias: false }),
      layers.maxPool2d({ kernel: 2 }),
      layers.maxPool2d({ kernel: 2 }),
    ],
    { inputShape: [1, 28, 28] },
  );
  const r = receptiveField(net, 'pool1', { y, x }).path.find(
    (p) => p.activation === 'input',
  )!.region;
  const out: string[] = [];
  for (let yy = r.y0; yy <= r.y1; yy++)
    for (let xx = r.x0; xx <= r.x1; xx++) out.push(`${yy},${xx}`);
  return out.sort();
}

let h: Harness;
before(async () => {
  h = await startHarness({ dir: DIST });
});
after(async () => {
  await h?.close();
});

describe('an outside site built on @receptive/astro', () => {
  it('lists its lesson, which renders with typeset math', async () => {
    const { context, problems } = await h.context();
    const page = await context.newPage();
    await page.goto('/');
    const links = await page
      .locator('.lessons a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(links, [LESSON, POOLING]);
    await page.goto(LESSON);
    assert.equal(await page.locator('h1').textContent(), 'Finding edges');
    assert.ok((await page.locator('.katex-display').count()) >= 1, 'display math');
    assert.ok((await page.locator('.katex math').count()) >= 5, 'MathML for screen readers');
    // KaTeX's stylesheet came with the integration: the math is set in KaTeX's fonts.
    const font = await page
      .locator('.katex')
      .first()
      .evaluate((el) => getComputedStyle(el).font);
    assert.match(font, /KaTeX_Main/);
    assert.deepEqual(problems, noProblems());
  });

  it("the scroll steps drive the kernel lab, and its output is the core's", async () => {
    const { context, problems } = await h.context();
    const page = await context.newPage();
    await page.goto(LESSON);
    const lab = page.locator('rf-kernel-lab');
    const seen: string[] = [];
    await scrollThrough(page, async () => {
      const state = await page.locator('rf-scrolly').getAttribute('data-state');
      if (!state || seen.at(-1) === state) return;
      seen.push(state);
      const [, attr, kernel] = STEPS.find(([s]) => s === state)!;
      await page.waitForFunction(() => customElements.get('rf-kernel-lab') !== undefined);
      assert.equal(await lab.getAttribute('kernel'), attr, `${state}: kernel`);
      const actual = await labOutput(lab);
      const expected = coreOutput(kernel);
      assert.equal(actual.length, expected.length, `${state}: rows`);
      actual.forEach((row, y) => {
        row.forEach((v, x) => {
          assert.ok(Math.abs(v - expected[y]![x]!) < 1e-5, `${state}: [${y}][${x}]`);
        });
      });
    });
    assert.deepEqual(
      seen,
      STEPS.map(([s]) => s),
    );
    assert.deepEqual(problems, noProblems());
  });

  it('the pooling page lights the 16 input pixels a pooled unit saw', async () => {
    const { context, problems } = await h.context();
    const page = await context.newPage();
    await page.goto(POOLING);
    const unit = page.locator('rf-pooling [data-layer="pool1"][data-y="4"][data-x="7"]');
    await unit.scrollIntoViewIfNeeded();
    await unit.hover();
    const lit = await page.$$eval('rf-pooling [data-layer="input"].lit', (cells) =>
      cells.map((c) => `${(c as HTMLElement).dataset['y']},${(c as HTMLElement).dataset['x']}`),
    );
    assert.equal(lit.length, 16);
    assert.deepEqual(lit.sort(), traced(4, 7));
    assert.deepEqual(problems, noProblems());
  });

  it('has no serious accessibility violations, with every figure live', async () => {
    for (const path of ['/', LESSON, POOLING]) {
      const { context, problems } = await h.context();
      const page = await context.newPage();
      await page.goto(path);
      await scrollThrough(page, async () => {}, 700);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.waitForTimeout(100);
      const violations = await seriousViolations(page);
      assert.deepEqual(violations, [], `${path}: ${JSON.stringify(violations, null, 2)}`);
      assert.deepEqual(problems, noProblems(), path);
    }
  });

  it('reads without JavaScript: the text, the math and tables computed at build time', async () => {
    const { context, problems } = await h.context({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(LESSON);
    await page.waitForLoadState('networkidle');
    assert.equal(await page.locator('h1').textContent(), 'Finding edges');
    assert.equal(await page.locator('[data-step]').count(), 3);
    assert.ok((await page.locator('main p').count()) >= 6, 'the lesson text');
    assert.ok((await page.locator('.katex').count()) >= 1, 'the math');
    // The lab's initial kernel (the horizontal edges) and its output, as the core computes it.
    const rows = await page
      .locator('rf-kernel-lab table')
      .last()
      .locator('tr')
      .evaluateAll((trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')),
      );
    assert.deepEqual(
      rows.map((r) => r.map((s) => Number(s.replace('\u2212', '-')))),
      coreOutput(HORIZONTAL),
    );
    await page.goto(POOLING);
    await page.waitForLoadState('networkidle');
    assert.equal(
      await page.locator('rf-pooling tr[data-layer="pool1"]').getAttribute('data-pixels'),
      '16',
    );
    assert.deepEqual(problems, noProblems());
  });
});
