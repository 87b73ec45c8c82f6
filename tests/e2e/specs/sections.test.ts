import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { conv2d, layers, receptiveField, sequential, tensor } from '@receptive/core';
import { decodeDigits } from '@receptive/models';
import { fromOnnx } from '@receptive/onnx';
import type { Page } from 'playwright-core';
import { seriousViolations } from '../lib/axe.ts';
import { noProblems } from '../lib/guard.ts';
import { type Harness, startHarness } from '../lib/harness.ts';
import { labOutput, scrollThrough } from '../lib/scroll.ts';

// Sections 1-4 of the lesson, built by @receptive/site through @receptive/astro. The harness
// launches Chromium without WebGPU, so every model here runs on onnxruntime-web's wasm.
const require = createRequire(import.meta.url);
const MODELS_DIR = dirname(require.resolve('@receptive/models/package.json'));

const heldOut = decodeDigits(new Uint8Array(readFileSync(`${MODELS_DIR}/data/heldout.bin`)));
const cnn = fromOnnx(new Uint8Array(readFileSync(`${MODELS_DIR}/models/cnn.onnx`)));
const top = (probs: ArrayLike<number>) => {
  let best = 0;
  for (let j = 1; j < 10; j++) if (probs[j]! > probs[best]!) best = j;
  return best;
};

const PAGES = [
  { path: '/lessons/curve-fitting/', title: 'Learning is curve fitting' },
  { path: '/lessons/convolution/', title: 'Convolution' },
  { path: '/lessons/convolution-layers/', title: 'Convolution layers' },
  { path: '/lessons/pooling/', title: 'Pooling' },
];

const LECTURE = ['0000000', '0011100', '0111110', '0111000', '0111110', '0011100', '0000000'];
const IMAGE = tensor(Float32Array.from(LECTURE.join(''), Number), [1, 1, 7, 7]);
const KERNELS: Record<string, number[]> = {
  identity: [0, 0, 0, 0, 1, 0, 0, 0, 0],
  'box-blur': Array.from({ length: 9 }, () => 1 / 9),
  'horizontal-edge': [-1, -1, -1, 2, 2, 2, -1, -1, -1],
  laplacian: [0, -1, 0, -1, 4, -1, 0, -1, 0],
};
// The convolution lesson's scrolly: each step state and the kernel settings it sets.
const CONV_STEPS: [string, string, boolean][] = [
  ['identity', 'identity', false],
  ['padded', 'identity', true],
  ['blur', 'box-blur', false],
  ['edge', 'horizontal-edge', false],
  ['laplacian', 'laplacian', false],
];

/** The core's convolution of the lecture image, row by row. */
function coreOutput(kernel: number[], padding = false): number[][] {
  const out = conv2d(IMAGE, tensor(Float32Array.from(kernel), [1, 1, 3, 3]), null, {
    padding: padding ? 1 : 0,
  });
  const [, , h, w] = out.shape as [number, number, number, number];
  return Array.from({ length: h }, (_, y) => Array.from(out.data.subarray(y * w, y * w + w)));
}

function assertClose(actual: number[][], expected: number[][], what: string) {
  assert.equal(actual.length, expected.length, `${what}: rows`);
  actual.forEach((row, y) => {
    row.forEach((v, x) => {
      assert.ok(
        Math.abs(v - expected[y]![x]!) < 1e-5,
        `${what}: [${y}][${x}] ${v} vs ${expected[y]![x]}`,
      );
    });
  });
}

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

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.close();
});

describe('lesson sections 1-4', () => {
  it('are listed in order on the home page, and each renders with its math', async () => {
    const { context, problems } = await h.context();
    const page = await context.newPage();
    await page.goto('/');
    const links = await page
      .locator('.lessons a')
      .evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
    assert.deepEqual(
      links,
      PAGES.map((p) => [p.title, p.path]),
    );
    for (const { path, title } of PAGES) {
      await page.goto(path);
      assert.equal(await page.locator('h1').textContent(), title);
      assert.ok((await page.locator('.katex').count()) >= 1, `${path}: KaTeX rendered`);
    }
    assert.deepEqual(problems, noProblems());
  });

  it("convolution: the scroll steps drive the kernel lab, and its output is the core's", async () => {
    const { context, problems } = await h.context();
    const page = await context.newPage();
    await page.goto('/lessons/convolution/');
    const lab = page.locator('rf-kernel-lab').first();
    const seen: string[] = [];
    await scrollThrough(page, async () => {
      const state = await page.locator('rf-scrolly').getAttribute('data-state');
      if (!state || seen.at(-1) === state) return;
      seen.push(state);
      const [, kernel, padding] = CONV_STEPS.find(([s]) => s === state)!;
      await page.waitForFunction(() => customElements.get('rf-kernel-lab') !== undefined);
      assert.equal(await lab.getAttribute('kernel'), kernel, `${state}: kernel`);
      assert.equal((await lab.getAttribute('padding')) !== null, padding, `${state}: padding`);
      assertClose(await labOutput(lab), coreOutput(KERNELS[kernel]!, padding), state);
    });
    assert.deepEqual(
      seen,
      CONV_STEPS.map(([s]) => s),
    );
    // The box blur step shows the lecture's numbers: the first output row, in ninths.
    await page.locator('[data-step][data-state="blur"]').scrollIntoViewIfNeeded();
    await page.waitForFunction(
      () => document.querySelector('rf-kernel-lab')?.getAttribute('kernel') === 'box-blur',
    );
    const firstRow = await lab
      .locator('table.out tr')
      .first()
      .evaluate((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent));
    assert.deepEqual(firstRow, ['3', '5', '6', '5', '3']);
    assert.deepEqual(problems, noProblems());
  });

  it('convolution by keyboard alone: edit a kernel cell, walk the output', async () => {
    const { context, problems } = await h.context();
    const page = await context.newPage();
    await page.goto('/lessons/convolution/');
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
    const edited = [...KERNELS['horizontal-edge']!];
    edited[4] = 3.5;
    assertClose(await labOutput(free), coreOutput(edited), 'edited kernel');
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
    const { context, problems } = await h.context();
    const page = await context.newPage();
    await page.goto('/lessons/convolution-layers/');
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
    const { context, problems } = await h.context();
    const page = await context.newPage();
    await page.goto('/lessons/pooling/');
    const net = sequential(
      [
        layers.conv2d({ filters: 1, kernel: 3, bias: false }),
        layers.maxPool2d({ kernel: 2 }),
        layers.maxPool2d({ kernel: 2 }),
      ],
      { inputShape: [1, 28, 28] },
    );
    const expected = (y: number, x: number) => {
      const r = receptiveField(net, 'pool1', { y, x }).path.find(
        (p) => p.activation === 'input',
      )!.region;
      const out: string[] = [];
      for (let yy = r.y0; yy <= r.y1; yy++)
        for (let xx = r.x0; xx <= r.x1; xx++) out.push(`${yy},${xx}`);
      return out.sort();
    };
    const lit = () =>
      page.$$eval('rf-pooling [data-layer="input"].lit', (cells) =>
        cells
          .map((c) => `${(c as HTMLElement).dataset['y']},${(c as HTMLElement).dataset['x']}`)
          .sort(),
      );
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
    // Pool again until one unit sees the whole image: the table traced by the core.
    const whole = page.locator('[data-rf-chain="6"] tr[data-whole="true"]');
    assert.equal(await whole.count(), 1);
    assert.equal(await whole.getAttribute('data-pixels'), '36');
    assert.deepEqual(problems, noProblems());
  });

  it('curve fitting: a drawn digit gets the right answer from all three models, on wasm', async () => {
    const { context, problems } = await h.context();
    const page = await context.newPage();
    await page.goto('/lessons/curve-fitting/');
    const adapter = await page.evaluate(async () => {
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return gpu ? (await gpu.requestAdapter()) !== null : false;
    });
    assert.equal(adapter, false, 'no WebGPU adapter in this browser');
    const compare = page.locator('rf-model-compare');
    await compare.scrollIntoViewIfNeeded();
    await page.waitForSelector('rf-model-compare[data-state="ready"]', { timeout: 30_000 });
    const card = JSON.parse(readFileSync(`${MODELS_DIR}/models/cnn.card.json`, 'utf8'));
    assert.equal(
      await compare.locator('[data-model="cnn"] .facts').textContent(),
      `${card.parameters.toLocaleString('en-US')} parameters · ${(card.heldOut.accuracy * 100).toFixed(1)}% held-out accuracy`,
    );
    const canvas = page.locator('rf-digit-pad canvas.draw');
    await canvas.scrollIntoViewIfNeeded();
    const b = (await canvas.boundingBox())!;
    const at = (x: number, y: number) =>
      [b.x + (x / 280) * b.width, b.y + (y / 280) * b.height] as const;
    // A clear 7: a bar and a diagonal.
    await page.mouse.move(...at(60, 50));
    await page.mouse.down();
    await page.mouse.move(...at(220, 50), { steps: 8 });
    await page.mouse.move(...at(120, 240), { steps: 8 });
    await page.mouse.up();
    for (const model of ['logreg', 'mlp', 'cnn']) {
      await page.waitForFunction(
        (m) =>
          document
            .querySelector('rf-model-compare')
            ?.shadowRoot?.querySelector(`[data-model="${m}"]`)
            ?.getAttribute('data-engine') === 'onnxruntime-web/wasm',
        model,
      );
    }
    assert.equal(await compare.locator('[data-model="cnn"]').getAttribute('data-prediction'), '7');

    // Keyboard only: the pad's Next button picks the first held-out digit; the CNN answers what
    // the core computes for it.
    await tabUntil(page, "host?.localName === 'rf-digit-pad' && el.dataset.action === 'next'");
    await page.keyboard.press('Enter');
    const want = String(
      top(cnn.forward(tensor(heldOut.pixels.slice(0, 784), [1, 1, 28, 28])).data),
    );
    await page.waitForFunction(
      (d) =>
        document
          .querySelector('rf-model-compare')
          ?.shadowRoot?.querySelector('[data-model="cnn"]')
          ?.getAttribute('data-prediction') === d,
      want,
    );
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
    const cards = ['logreg', 'mlp', 'cnn'].map((m) =>
      JSON.parse(readFileSync(`${MODELS_DIR}/models/${m}.card.json`, 'utf8')),
    );
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
});
