import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { assertNoSeriousViolations } from '../lib/axe.ts';
import { litCells } from '../lib/figures.ts';
import { noProblems } from '../lib/guard.ts';
import { useHarness } from '../lib/harness.ts';
import { assertGridClose, cellsSeen, KERNELS, lectureConv, poolingNet } from '../lib/lecture.ts';
import { labOutput, scrollThroughSteps, wakeEveryFigure } from '../lib/scroll.ts';

// Proof of reuse: @receptive/outside-site is a second course site, written as an outside author
// would write one (astro, @receptive/astro and nothing else from this repository). Its lesson
// uses <Scrolly>, <Step> and <KernelLab> without imports; one page uses <Pooling> directly.
const require = createRequire(import.meta.url);
const DIST = `${dirname(require.resolve('@receptive/outside-site/package.json'))}/dist`;

const LESSON = '/lessons/edges/';
const POOLING = '/pooling/';

const HORIZONTAL = KERNELS['horizontal-edge'];
const LAPLACIAN = KERNELS.laplacian;
const VERTICAL = [-1, 2, -1, -1, 2, -1, -1, 2, -1];
// The lesson's scrolly: each step state, the kernel attribute it sets and the kernel's numbers.
const STEPS: [string, string, number[]][] = [
  ['horizontal', 'horizontal-edge', HORIZONTAL],
  ['laplacian', 'laplacian', LAPLACIAN],
  ['vertical', VERTICAL.join(','), VERTICAL],
];

const h = useHarness({ dir: DIST });

describe('an outside site built on @receptive/astro', () => {
  it('lists its lesson, which renders with typeset math', async () => {
    const { page, problems } = await h.open('/');
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
    const { page, problems } = await h.open(LESSON);
    const lab = page.locator('rf-kernel-lab');
    const seen = await scrollThroughSteps(page, page.locator('rf-scrolly'), async (state) => {
      const [, attr, kernel] = STEPS.find(([s]) => s === state)!;
      await page.waitForFunction(() => customElements.get('rf-kernel-lab') !== undefined);
      assert.equal(await lab.getAttribute('kernel'), attr, `${state}: kernel`);
      assertGridClose(await labOutput(lab), lectureConv(kernel), state);
    });
    assert.deepEqual(
      seen,
      STEPS.map(([s]) => s),
    );
    assert.deepEqual(problems, noProblems());
  });

  it('the pooling page lights the 16 input pixels a pooled unit saw', async () => {
    const { page, problems } = await h.open(POOLING);
    const unit = page.locator('rf-pooling [data-layer="pool1"][data-y="4"][data-x="7"]');
    await unit.scrollIntoViewIfNeeded();
    await unit.hover();
    const lit = await litCells(page, 'input');
    assert.equal(lit.length, 16);
    assert.deepEqual(lit, cellsSeen(poolingNet(), 'pool1', { y: 4, x: 7 }));
    assert.deepEqual(problems, noProblems());
  });

  it('has no serious accessibility violations, with every figure live', async () => {
    for (const path of ['/', LESSON, POOLING]) {
      const { page, problems } = await h.open(path);
      await wakeEveryFigure(page);
      await assertNoSeriousViolations(page, path);
      assert.deepEqual(problems, noProblems(), path);
    }
  });

  it('reads without JavaScript: the text, the math and tables computed at build time', async () => {
    const { page, problems } = await h.open(LESSON, { javaScriptEnabled: false });
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
      lectureConv(HORIZONTAL),
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
