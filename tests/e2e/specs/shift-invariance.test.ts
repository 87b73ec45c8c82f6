import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  binomialFilter,
  blurPool2d,
  conv2d,
  maxPool2d,
  relu,
  shift2d,
  type Tensor,
  tensor,
} from '@receptive/core';
import { SHIFT_PAIR } from '@receptive/models';
import type { Page } from 'playwright-core';
import { assertNoSeriousViolations } from '../lib/axe.ts';
import { heldOut, heldOutDigit, modelCard, top } from '../lib/digits.ts';
import { propertyOf, scrollToStep, showFigure, waitForAttribute } from '../lib/figures.ts';
import { noProblems } from '../lib/guard.ts';
import { useHarness } from '../lib/harness.ts';
import { assertFitsWidth } from '../lib/layout.ts';
import { KERNELS } from '../lib/lecture.ts';
import { shiftPair, shiftRow } from '../scripts/shift-network-digit.ts';

// Lesson section 5, shift invariance (content/lessons/shift-invariance.mdx): every number its
// figures show is checked against @receptive/core run here in Node on the same digits and models.

const PATH = '/lessons/shift-invariance/';
/** The test digit the whole-network figure opens with (index in the test set). */
const NETWORK_DIGIT = 552;
/** The whole-network figure's pair (SHIFT_PAIR): max pooling, then BlurPool. */
const PAIR = shiftPair();
const [MAX, BLUR] = SHIFT_PAIR;
const MODELS = { [MAX]: PAIR[0], [BLUR]: PAIR[1] };

const h = useHarness();

/** The slide example in Node: a 4 x 4 input with a 1 at (y, x), max-pooled 2 x 2. */
function pooledBlock(y: number, x: number): number[] {
  const input = new Float32Array(16);
  input[y * 4 + x] = 1;
  return Array.from(maxPool2d(tensor(input, [1, 1, 4, 4]), { kernel: 2 }).data);
}

/** The edge figure's count in Node: pooled units of the shifted digit that differ from the unshifted. */
function changedUnits(digit: Tensor, dy: number, dx: number): number {
  const k = tensor(Float32Array.from(KERNELS['horizontal-edge']), [1, 1, 3, 3]);
  const pool = (t: Tensor) => maxPool2d(conv2d(t, k), { kernel: 2 });
  const a = pool(digit);
  const b = pool(shift2d(digit, dy, dx));
  let n = 0;
  for (let i = 0; i < a.data.length; i++) if (Math.abs(a.data[i]! - b.data[i]!) > 1e-6) n++;
  return n;
}

const blockPooled = (page: Page) => page.locator('rf-shift-block').getAttribute('data-pooled');

describe('lesson section 5: shift invariance', () => {
  it("the slide's example: every position of the 1, set by the scroll steps and by attribute", async () => {
    const { page, problems } = await h.open(PATH);
    await scrollToStep(page, 'small');
    await page.waitForFunction(() => customElements.get('rf-shift-block') !== undefined);
    for (const [state, one, y, x] of [
      ['small', '1,1', 0, 0],
      ['inside', '2,2', 1, 1],
      ['bigger', '1,3', 0, 2],
    ] as const) {
      await scrollToStep(page, state);
      await waitForAttribute(page, 'rf-shift-block', 'one', one);
      assert.equal(await blockPooled(page), pooledBlock(y, x).join(','), state);
    }
    // All four places in the first block pool to 1 there; two columns on, it pools to 0.
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 4; x++) {
        await page
          .locator('rf-shift-block')
          .evaluate((el, v) => el.setAttribute('one', v), `${y + 1},${x + 1}`);
        const pooled = (await blockPooled(page))!.split(',').map(Number);
        assert.deepEqual(pooled, pooledBlock(y, x), `1 at ${y},${x}`);
        assert.equal(pooled[0], y < 2 && x < 2 ? 1 : 0);
      }
    }
    assert.deepEqual(problems, noProblems());
  });

  it('the edge map: changed pooled units are counted as the core counts them', async () => {
    const { page, problems } = await h.open(PATH);
    await scrollToStep(page, 'one');
    await page.waitForSelector('rf-shift-edge[data-changed]');
    const digit = heldOutDigit(0);
    for (const [dy, dx] of [
      [0, 1],
      [0, 2],
      [1, -1],
      [-2, 2],
      [3, 0],
    ] as const) {
      await page
        .locator('rf-shift-edge')
        .evaluate((el, v) => el.setAttribute('shift', v), `${dy},${dx}`);
      const counts = await propertyOf<{ changed: number; movedChanged: number | null }>(
        page,
        'rf-shift-edge',
        'counts',
      );
      assert.equal(counts.changed, changedUnits(digit, dy, dx), `${dy},${dx}`);
      // A shift by whole strides moves the pooled map by whole units, exactly (this digit has a
      // blank border, so nothing leaves the image).
      if (dy % 2 === 0 && dx % 2 === 0) assert.equal(counts.movedChanged, 0, `${dy},${dx} moved`);
      else assert.equal(counts.movedChanged, null);
    }
    const text = await page.locator('rf-shift-edge .count').textContent();
    assert.match(text!, new RegExp(`${changedUnits(digit, 3, 0)} of 169 pooled units changed`));
    assert.deepEqual(problems, noProblems());
  });

  it('the whole-network figure opens on a digit the two networks often disagree on, as the lesson says', () => {
    // "one on which the two networks disagree often", "where the max-pooling network loses the
    // digit, the anti-aliased one often keeps it" (scripts/shift-network-digit.ts ranks them).
    const row = shiftRow(
      PAIR,
      heldOut.pixels.slice(NETWORK_DIGIT * 784, (NETWORK_DIGIT + 1) * 784),
      heldOut.labels[NETWORK_DIGIT]!,
      NETWORK_DIGIT,
    );
    assert.ok(row, 'both networks read the digit right where it was drawn');
    assert.ok(row.differ >= 10, `their answers differ on ${row.differ} of 81 shifts`);
    assert.ok(
      row.maxLoses > 2 * row.blurLoses,
      `max pooling alone loses it on ${row.maxLoses} shifts, BlurPool alone on ${row.blurLoses}`,
    );
    // "on most test digits both hold on for a shift of a pixel or two and lose the digit
    // somewhere further out": the first 100 test digits.
    const rows = Array.from({ length: 100 }, (_, i) =>
      shiftRow(PAIR, heldOut.pixels.slice(i * 784, (i + 1) * 784), heldOut.labels[i]!, i),
    ).filter((r) => r !== null);
    assert.ok(rows.length >= 98, `${rows.length} of the first 100 read right by both`);
    const near = rows.filter((r) => r.bothRightNear === 25).length;
    const everywhere = rows.filter((r) => r.bothRight === 81).length;
    assert.ok(near > rows.length / 2, `both right on every shift of up to 2 px for ${near}`);
    assert.ok(everywhere < rows.length / 10, `both right on all 81 shifts for ${everywhere}`);
  });

  it("the whole network: heat maps and bars are both models' P on every shift", async (t) => {
    const { page, problems } = await h.open(PATH);
    const fig = await showFigure(page, 'rf-shift-network', 'ready', 60_000);
    const digit = heldOutDigit(NETWORK_DIGIT);
    const label = heldOut.labels[NETWORK_DIGIT]!;
    assert.equal(await propertyOf<number>(page, 'rf-shift-network', 'label'), label);
    const heat = await propertyOf<Record<string, number[]>>(page, 'rf-shift-network', 'heatMaps');
    for (const [name, model] of Object.entries(MODELS)) {
      let i = 0;
      for (let dy = -4; dy <= 4; dy++) {
        for (let dx = -4; dx <= 4; dx++, i++) {
          const p = model.forward(shift2d(digit, dy, dx)).data[label]!;
          assert.ok(
            Math.abs(heat[name]![i]! - p) < 1e-5,
            `${name} ${dy},${dx}: ${heat[name]![i]} vs ${p}`,
          );
        }
      }
    }
    // Keyboard only: the sliders move the digit, the bars follow.
    await fig.locator('input[data-axis="dx"]').focus();
    for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
    await fig.locator('input[data-axis="dy"]').focus();
    await page.keyboard.press('ArrowLeft');
    await waitForAttribute(page, 'rf-shift-network', 'data-shift', '-1,3');
    for (const [name, model] of Object.entries(MODELS)) {
      const probs = model.forward(shift2d(digit, -1, 3)).data;
      const pcts = await fig
        .locator(`[data-model="${name}"] .pct`)
        .evaluateAll((els) => els.map((e) => e.textContent));
      assert.deepEqual(
        pcts,
        Array.from(probs, (p) => `${Math.round(p * 100)}%`),
        `${name} bars at -1,3`,
      );
      assert.equal(
        await fig.locator(`[data-model="${name}"]`).getAttribute('data-prediction'),
        String(top(probs)),
      );
    }
    // ... and the heat map's cursor moves with the arrow keys, focus kept in the grid.
    await fig.locator(`[data-model="${MAX}"] .heat [tabindex="0"]`).focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await waitForAttribute(page, 'rf-shift-network', 'data-shift', '1,3');
    assert.equal(
      await fig.locator(`[data-model="${BLUR}"] .heat .here`).getAttribute('data-dy'),
      '1',
    );
    // One shift step's update (bars, both cursors, the digit): measured, reported, not asserted.
    await page.locator('rf-shift-network').evaluate((el) => {
      (el as unknown as { updateTimes: number[] }).updateTimes.length = 0;
    });
    for (let k = 0; k < 40; k++) await page.keyboard.press(k % 16 < 8 ? 'ArrowRight' : 'ArrowLeft');
    const times = (await propertyOf<number[]>(page, 'rf-shift-network', 'updateTimes')).sort(
      (a, b) => a - b,
    );
    const p95 = times[Math.floor(0.95 * (times.length - 1))]!;
    const runMs = await propertyOf<number>(page, 'rf-shift-network', 'lastRunMs');
    t.diagnostic(
      `both models on all 81 shifts of the digit: ${runMs.toFixed(0)} ms, one heat-map row (18 runs) per task`,
    );
    t.diagnostic(
      `one shift step updates both models' bars and cursors in p95 ${p95.toFixed(2)} ms (median ${times[Math.floor(times.length / 2)]!.toFixed(2)} ms, ${times.length} steps)`,
    );
    assert.deepEqual(problems, noProblems());
  });

  it('follows the digit pad: a picked test digit is shifted with its own label', async () => {
    const { page, problems } = await h.open(PATH);
    await showFigure(page, 'rf-shift-network', 'ready', 60_000);
    const pad = page.locator('rf-digit-pad#shift-pad');
    await pad.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => customElements.get('rf-digit-pad') !== undefined);
    // From a blank pad, "next" picks test digit 1 (a 7), then 2 (a 2).
    const next = pad.getByRole('button', { name: /next held-out digit/i });
    await next.click();
    await next.click();
    await page.waitForFunction(
      () =>
        (document.querySelector('rf-shift-network') as unknown as { label: number }).label === 2,
    );
    const heat = await propertyOf<Record<string, number[]>>(page, 'rf-shift-network', 'heatMaps');
    const digit = heldOutDigit(1);
    const p = PAIR[1].forward(shift2d(digit, 4, -4)).data[2]!;
    assert.ok(Math.abs(heat[BLUR]![8 * 9]! - p) < 1e-5);
    assert.deepEqual(problems, noProblems());
  });

  it("BlurPool's steps equal the core's blurPool2d, and the cost table is the cards'", async () => {
    const { page, problems } = await h.open(PATH);
    await scrollToStep(page, 'max');
    await page.waitForSelector('rf-blur-pool[data-matches-core="true"]');
    for (const stage of ['max', 'blur', 'keep'] as const) {
      await scrollToStep(page, stage);
      await waitForAttribute(page, 'rf-blur-pool', 'stage', stage);
      assert.equal(
        await page.locator(`rf-blur-pool .maps figure.now`).getAttribute('data-stage'),
        stage,
      );
    }
    const k = tensor(Float32Array.from(KERNELS['horizontal-edge']), [1, 1, 3, 3]);
    const feature = relu(conv2d(heldOutDigit(0), k));
    const stages = await propertyOf<{ keep: { data: Record<string, number> } }>(
      page,
      'rf-blur-pool',
      'stages',
    );
    const want = blurPool2d(feature).data;
    want.forEach((v, i) => {
      assert.ok(Math.abs(stages.keep.data[i]! - v) < 1e-5, `keep[${i}]`);
    });
    // The one-dimensional example: stripes and their [1 2 1]/4 blur, at two phases.
    const stripes = Array.from({ length: 10 }, (_, i) => i % 2);
    const mid = binomialFilter(3).data.slice(3, 6);
    const s = mid.reduce((a, b) => a + b, 0);
    const blurred = stripes.map(
      (_, i) =>
        ((stripes[i - 1] ?? 0) * mid[0]! +
          stripes[i]! * mid[1]! +
          (stripes[i + 1] ?? 0) * mid[2]!) /
        s,
    );
    const rows = await page
      .locator('rf-blur-pool table[data-table="alias"] tr')
      .evaluateAll((trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => Number(td.textContent))),
      );
    assert.deepEqual(rows[0], stripes);
    assert.deepEqual(
      rows[3],
      blurred.map((v) => Number(v.toFixed(2))),
    );
    assert.deepEqual(
      rows[4],
      blurred.filter((_, i) => i % 2 === 0).map((v) => Number(v.toFixed(2))),
    );
    await scrollToStep(page, 'cost');
    await page.waitForSelector('rf-blur-pool table[data-table="cost"]');
    for (const name of SHIFT_PAIR) {
      const card = modelCard(name);
      const cells = await page
        .locator(`rf-blur-pool table[data-table="cost"] td[data-model="${name}"]`)
        .evaluateAll((tds) => tds.map((td) => td.textContent));
      assert.deepEqual(cells, [
        card.parameters.toLocaleString('en-US'),
        card.flops.toLocaleString('en-US'),
        `${(card.heldOut.accuracy * 100).toFixed(2)}%`,
        `${(card.shift.accuracyByDx.find((r: { shift: number }) => r.shift === 4).accuracy * 100).toFixed(2)}%`,
        `${(card.shift.consistency * 100).toFixed(2)}%`,
      ]);
    }
    assert.deepEqual(problems, noProblems());
  });

  it('by keyboard and touch alone: move the 1 with arrow keys and with a tap', async () => {
    const { page, problems } = await h.open(PATH, {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    await assertFitsWidth(page);
    await scrollToStep(page, 'small');
    await page.waitForFunction(() => customElements.get('rf-shift-block') !== undefined);
    await waitForAttribute(page, 'rf-shift-block', 'one', '1,1');
    await page.locator('rf-shift-block .in [data-y="3"][data-x="2"]').tap();
    await waitForAttribute(page, 'rf-shift-block', 'one', '4,3');
    assert.equal(await blockPooled(page), pooledBlock(3, 2).join(','));
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowRight');
    await waitForAttribute(page, 'rf-shift-block', 'one', '3,4');
    assert.equal(await blockPooled(page), pooledBlock(2, 3).join(','));
    assert.match(
      (await page.locator('rf-shift-block .say').textContent())!,
      /row 3, column 4, in the bottom-right block/,
    );
    for (const tag of ['rf-shift-edge', 'rf-shift-network', 'rf-blur-pool']) {
      await page.locator(tag).scrollIntoViewIfNeeded();
    }
    await showFigure(page, 'rf-shift-network', 'ready', 60_000);
    await page
      .locator(`rf-shift-network [data-model="${MAX}"] .heat [data-dy="-2"][data-dx="1"]`)
      .tap();
    await waitForAttribute(page, 'rf-shift-network', 'data-shift', '-2,1');
    await assertFitsWidth(page);
    assert.deepEqual(problems, noProblems());
  });

  it('honours reduced motion, and axe finds nothing serious with every figure awake', async () => {
    const { page, problems } = await h.open(PATH, { reducedMotion: 'reduce' });
    for (const tag of ['rf-shift-block', 'rf-shift-edge', 'rf-shift-network', 'rf-blur-pool']) {
      await page.locator(tag).scrollIntoViewIfNeeded();
    }
    await showFigure(page, 'rf-shift-network', 'ready', 60_000);
    // BlurPool loads its cards only while it is near the viewport, and its code may arrive after
    // the scroll above has moved on: bring it back before waiting for its table.
    await page.locator('rf-blur-pool').scrollIntoViewIfNeeded();
    await page.waitForSelector('rf-blur-pool table[data-table="cost"]');
    const duration = await page
      .locator(`rf-shift-network [data-model="${MAX}"] .fill`)
      .first()
      .evaluate((el) => Number.parseFloat(getComputedStyle(el).transitionDuration));
    assert.ok(duration <= 0.001, `bars animate for ${duration}s under reduced motion`);
    await assertNoSeriousViolations(page, PATH);
    // Nothing left the machine: the guard blocks and lists any request off the local server.
    assert.deepEqual(problems, noProblems());
  });

  it("reads without JavaScript: the slide's example and the cards' shift numbers, from the build", async () => {
    const { page, problems } = await h.open(PATH, { javaScriptEnabled: false });
    const block = await page
      .locator('table[data-rf-table="block"] tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [
          (tr as HTMLElement).dataset['one'],
          tr.querySelectorAll('td')[1]!.textContent,
          tr.querySelectorAll('td')[2]!.textContent,
        ]),
      );
    assert.equal(block.length, 5);
    for (const [one, pooled, first] of block) {
      const [y, x] = one!.split(',').map((v) => Number(v) - 1);
      const want = pooledBlock(y!, x!);
      assert.equal(pooled, `${want.slice(0, 2).join(' ')} / ${want.slice(2).join(' ')}`);
      assert.equal(first, String(want[0]));
    }
    for (const name of SHIFT_PAIR) {
      const card = modelCard(name);
      const row = page.locator(
        `rf-shift-network table[data-rf-table="shift-cards"] tr[data-card="${name}"]`,
      );
      assert.equal(
        await row.locator('[data-consistency]').textContent(),
        `${(card.shift.consistency * 100).toFixed(2)}%`,
      );
      for (const { shift, accuracy } of card.shift.accuracyByDx) {
        assert.equal(
          await row.locator(`[data-shift="${shift}"]`).textContent(),
          `${(accuracy * 100).toFixed(2)}%`,
        );
      }
      assert.equal(
        await page
          .locator(`rf-blur-pool table[data-rf-table="cost"] tr[data-card="${name}"] td`)
          .first()
          .textContent(),
        card.parameters.toLocaleString('en-US'),
      );
    }
    // The lesson's consistency figures are the cards', and its pair never saw a moved digit.
    const prose = (await page.locator('main').textContent())!.replace(/\s+/g, ' ');
    const consistency = (name: string) =>
      `${(modelCard(name).shift.consistency * 100).toFixed(2)}%`;
    for (const sentence of [
      `two random shifts of a test digit ${consistency('cnn')} of the time, and BlurPool ${consistency('cnn-blurpool')}.`,
      `max pooling alone reaches ${consistency(MAX)}, BlurPool ${consistency(BLUR)}.`,
    ]) {
      assert.ok(prose.includes(sentence), `the lesson says "${sentence}"`);
    }
    for (const name of SHIFT_PAIR) assert.equal(modelCard(name).training.augment, null, name);
    assert.ok((await page.locator('.katex').count()) >= 2);
    assert.deepEqual(problems, noProblems());
  });
});
