import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conv2d, layers, sequential, tensor } from '@receptive/core';
import type { Page } from 'playwright-core';
import { assertNoSeriousViolations } from '../lib/axe.ts';
import { cnn, heldOutDigit, modelCard, top } from '../lib/digits.ts';
import {
  drawOnPad,
  litCells,
  scrollToStep,
  showFigure,
  waitForAttribute,
  waitForModelCard,
} from '../lib/figures.ts';
import { noProblems } from '../lib/guard.ts';
import { useHarness } from '../lib/harness.ts';
import {
  assertGridClose,
  cellsSeen,
  KERNELS,
  type KernelName,
  lectureConv,
  poolingNet,
} from '../lib/lecture.ts';
import { labOutput, scrollThroughSteps, wakeEveryFigure } from '../lib/scroll.ts';

// The lessons, built by @receptive/site through @receptive/astro. The lesson's
// comparison runs every model on @receptive/core (auto: no runtime download for one digit).

const PAGES = [
  { path: '/lessons/curve-fitting/', title: 'Learning is curve fitting' },
  { path: '/lessons/convolution/', title: 'Convolution' },
  { path: '/lessons/convolution-layers/', title: 'Convolution layers' },
  { path: '/lessons/pooling/', title: 'Pooling' },
  { path: '/lessons/shift-invariance/', title: 'Shift invariance' },
  { path: '/lessons/digit-recognition/', title: 'Handwritten digit recognition' },
  { path: '/lessons/visualization/', title: 'Visualizing what a CNN learned' },
];

// The convolution lesson's scrolly: each step state and the kernel settings it sets.
const CONV_STEPS: [string, KernelName, boolean][] = [
  ['identity', 'identity', false],
  ['padded', 'identity', true],
  ['blur', 'box-blur', false],
  ['edge', 'horizontal-edge', false],
  ['laplacian', 'laplacian', false],
];

/** Presses Tab until `test` holds for the deepest focused element (through shadow roots). */
async function tabUntil(page: Page, test: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const hit = await page.evaluate((src) => {
      let a: Element | null = document.activeElement;
      while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
      const host =
        (a?.getRootNode() as ShadowRoot | Document) instanceof ShadowRoot
          ? ((a!.getRootNode() as ShadowRoot).host as Element)
          : null;
      return new Function('el', 'host', `return (${src});`)(a, host) as boolean;
    }, test);
    if (hit) return;
  }
  throw new Error(`Tab never reached: ${test}`);
}

const h = useHarness();

describe('the lessons', () => {
  it('are listed in order on the home page, and each renders with its math', async () => {
    const { page, problems } = await h.open('/');
    const links = await page
      .locator('.lessons a')
      .evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
    assert.deepEqual(
      links,
      PAGES.map((p) => [p.title, p.path]),
    );
    for (const { path, title } of PAGES) {
      // Let the previous page finish loading its modules first: navigating away mid-download
      // aborts them, and the guard rightly counts an aborted request as a problem.
      await page.waitForLoadState('networkidle');
      await page.goto(path);
      assert.equal(await page.locator('h1').textContent(), title);
      assert.ok((await page.locator('.katex').count()) >= 1, `${path}: KaTeX rendered`);
    }
    await page.waitForLoadState('networkidle');
    assert.deepEqual(problems, noProblems());
  });

  it("convolution: the scroll steps drive the kernel lab, and its output is the core's", async () => {
    const { page, problems } = await h.open('/lessons/convolution/');
    const lab = page.locator('rf-kernel-lab').first();
    const seen = await scrollThroughSteps(page, page.locator('rf-scrolly'), async (state) => {
      const [, kernel, padding] = CONV_STEPS.find(([s]) => s === state)!;
      await page.waitForFunction(() => customElements.get('rf-kernel-lab') !== undefined);
      assert.equal(await lab.getAttribute('kernel'), kernel, `${state}: kernel`);
      assert.equal((await lab.getAttribute('padding')) !== null, padding, `${state}: padding`);
      assertGridClose(await labOutput(lab), lectureConv(KERNELS[kernel], padding), state);
    });
    assert.deepEqual(
      seen,
      CONV_STEPS.map(([s]) => s),
    );
    // The box blur step shows the lecture's numbers: the first output row, in ninths.
    await scrollToStep(page, 'blur');
    await waitForAttribute(page, 'rf-kernel-lab', 'kernel', 'box-blur');
    const firstRow = await lab
      .locator('table.out tr')
      .first()
      .evaluate((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent));
    assert.deepEqual(firstRow, ['3', '5', '6', '5', '3']);
    assert.deepEqual(problems, noProblems());
  });

  it('convolution by keyboard alone: edit a kernel cell, walk the output', async () => {
    const { page, problems } = await h.open('/lessons/convolution/');
    const free = page.locator('rf-kernel-lab').nth(1);
    await free.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => customElements.get('rf-kernel-lab') !== undefined);
    await page.locator('h2', { hasText: 'Your turn' }).click();
    // Into the free lab: its "Horizontal edges" preset, then the centre cell.
    await tabUntil(
      page,
      "host === document.querySelectorAll('rf-kernel-lab')[1] && el.dataset.preset === 'horizontal-edge'",
    );
    await page.keyboard.press('Enter');
    for (let i = 0; i < 10; i++) {
      const label = await page.evaluate(() =>
        document
          .querySelectorAll('rf-kernel-lab')[1]!
          .shadowRoot!.activeElement?.getAttribute('aria-label'),
      );
      if (label === 'Kernel row 2, column 2') break;
      await page.keyboard.press('Shift+Tab');
    }
    await page.keyboard.press('Control+a');
    await page.keyboard.type('3.5');
    const edited = [...KERNELS['horizontal-edge']];
    edited[4] = 3.5;
    assertGridClose(await labOutput(free), lectureConv(edited), 'edited kernel');
    // On to the output grid: arrows move, and each cell's sum is written out.
    await tabUntil(
      page,
      "host === document.querySelectorAll('rf-kernel-lab')[1] && el.getAttribute('role') === 'gridcell'",
    );
    await page.keyboard.press('ArrowRight');
    assert.match((await free.locator('.explain').textContent()) ?? '', /^Row 1, column 2: .* = /);
    assert.deepEqual(problems, noProblems());
  });

  it('convolution layers: shapes and parameter counts follow k, d, h, w (from the core)', async () => {
    const { page, problems } = await h.open('/lessons/convolution-layers/');
    const fig = page.locator('[data-rf-conv-layer]');
    await fig.locator('fieldset:not([disabled])').waitFor();
    await fig.locator('input[name="k"]').focus();
    const values = { k: '8', d: '3', h: '28', w: '20' };
    for (const [name, v] of Object.entries(values)) {
      await page.keyboard.press('Control+a');
      await page.keyboard.type(v);
      if (name !== 'w') await page.keyboard.press('Tab');
      assert.equal(await fig.locator(`input[name="${name}"]`).inputValue(), v);
    }
    const net = sequential([layers.conv2d({ filters: 8, kernel: 3 }), layers.relu()], {
      inputShape: [3, 28, 20],
    });
    const [k, oh, ow] = net.outputShape as number[];
    assert.equal(await fig.locator('[data-value="output"]').textContent(), `${k} × ${oh} × ${ow}`);
    assert.equal(
      await fig.locator('[data-value="parameters"]').textContent(),
      net.parameterCount().toLocaleString('en-US'),
    );
    assert.match((await fig.locator('figcaption').textContent()) ?? '', /8 × 26 × 18 output/);
    assert.deepEqual(problems, noProblems());
  });

  it('pooling: a pooled unit lights exactly its 16 input pixels, by hover and by keyboard', async () => {
    const { page, problems } = await h.open('/lessons/pooling/');
    const net = poolingNet();
    const expected = (y: number, x: number) => cellsSeen(net, 'pool1', { y, x });
    const lit = () => litCells(page, 'input');
    const unit = page.locator('rf-pooling [data-layer="pool1"][data-y="5"][data-x="6"]');
    await unit.scrollIntoViewIfNeeded();
    // Let the scroll settle first: a step that becomes active sets the figure's traced unit.
    await page.waitForTimeout(400);
    await unit.hover();
    const hovered = await lit();
    assert.equal(hovered.length, 16);
    assert.deepEqual(hovered, expected(5, 6));

    await page.mouse.move(0, 0);
    await tabUntil(page, "host?.localName === 'rf-pooling' && el.dataset.layer === 'pool1'");
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    const focused = await lit();
    assert.equal(focused.length, 16);
    assert.deepEqual(focused, expected(1, 1));
    assert.match((await page.locator('rf-pooling .count').textContent()) ?? '', /16 digit pixels/);
    // Its colour keys: ink from 0 to 1 for the digit; for the maps the diverging scale, ending at
    // the feature map's largest magnitude as the core computes it.
    const edges = conv2d(
      heldOutDigit(0),
      tensor(Float32Array.from(KERNELS['horizontal-edge']), [1, 1, 3, 3]),
      null,
    );
    const largest = String(Number(Math.max(...Array.from(edges.data, Math.abs)).toFixed(2)));
    const keys = await page.locator('rf-pooling .keys .color-key').evaluateAll((ks) =>
      ks.map((k) => ({
        map: (k as HTMLElement).dataset['map'],
        ends: [...k.querySelectorAll('.color-key-ends span')].map((e) => e.textContent),
      })),
    );
    assert.deepEqual(keys, [
      { map: 'ink', ends: ['0', '1'] },
      { map: 'diverging', ends: [`−${largest}`, '0', largest] },
    ]);
    // Pool again until one unit sees the whole image: the table traced by the core.
    const whole = page.locator('[data-rf-chain="6"] tr[data-whole="true"]');
    assert.equal(await whole.count(), 1);
    assert.equal(await whole.getAttribute('data-pixels'), '36');
    assert.deepEqual(problems, noProblems());
  });

  it('curve fitting: a drawn digit gets the right answer from all three models, from the core', async () => {
    const { page, problems } = await h.open('/lessons/curve-fitting/');
    const adapter = await page.evaluate(async () => {
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return gpu ? (await gpu.requestAdapter()) !== null : false;
    });
    assert.equal(adapter, false, 'no WebGPU adapter in this browser');
    const compare = await showFigure(page, 'rf-model-compare', 'ready');
    const card = modelCard('cnn');
    assert.equal(
      await compare.locator('[data-model="cnn"] .facts').textContent(),
      `${card.parameters.toLocaleString('en-US')} parameters · ${(card.heldOut.accuracy * 100).toFixed(1)}% accuracy on the test digits`,
    );
    // A clear 7: a bar and a diagonal.
    await drawOnPad(page, [
      [
        [60, 50],
        [220, 50],
        [120, 240],
      ],
    ]);
    for (const model of ['logreg', 'mlp', 'cnn']) {
      await waitForModelCard(page, model, 'engine', 'core/cpu');
    }
    assert.equal(await compare.locator('[data-model="cnn"]').getAttribute('data-prediction'), '7');

    // Keyboard only: the pad's Next button picks the first held-out digit; the CNN answers what
    // the core computes for it.
    await tabUntil(page, "host?.localName === 'rf-digit-pad' && el.dataset.action === 'next'");
    await page.keyboard.press('Enter');
    const want = String(top(cnn.forward(heldOutDigit(0)).data));
    await waitForModelCard(page, 'cnn', 'prediction', want);
    assert.deepEqual(problems, noProblems());
  });

  it('reads without JavaScript: text and the static figures, computed at build time', async () => {
    const { context, problems } = await h.context({ javaScriptEnabled: false });
    const page = await context.newPage();
    // Leaving a page while its math fonts still load would abort them: let each page settle.
    const visit = async (path: string) => {
      await page.goto(path);
      await page.waitForLoadState('networkidle');
    };
    for (const { path, title } of PAGES) {
      await visit(path);
      assert.equal(await page.locator('h1').textContent(), title);
      assert.ok((await page.locator('main p').count()) > 5, `${path}: its text`);
    }
    await visit('/lessons/curve-fitting/');
    const cards = ['logreg', 'mlp', 'cnn'].map(modelCard);
    const rows = await page
      .locator('rf-model-compare tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll('td')[0]?.textContent));
    assert.deepEqual(
      rows,
      cards.map((c) => c.parameters.toLocaleString('en-US')),
    );
    await visit('/lessons/convolution/');
    // The free lab's output table: the lecture's box blur, in ninths.
    const out = await page
      .locator('rf-kernel-lab')
      .nth(1)
      .locator('table')
      .last()
      .locator('tr')
      .first()
      .textContent();
    assert.equal(out, '35653');
    await visit('/lessons/pooling/');
    assert.equal(
      await page.locator('rf-pooling tr[data-layer="pool1"]').getAttribute('data-pixels'),
      '16',
    );
    await visit('/lessons/convolution-layers/');
    assert.equal(await page.locator('[data-value="output"]').textContent(), '3 × 5 × 5');
    assert.deepEqual(problems, noProblems());
  });

  it('has no serious accessibility violations on any page, with every figure live', async () => {
    for (const path of [...PAGES.map((p) => p.path), '/authoring/']) {
      const { page, problems } = await h.open(path);
      await wakeEveryFigure(page);
      await assertNoSeriousViolations(page, path);
      assert.deepEqual(problems, noProblems(), path);
    }
  });
});
