import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inkRgb } from '@receptive/widgets/specs';
import type { Page } from 'playwright-core';
import { cnn, heldOutDigit, modelCard } from '../lib/digits.ts';
import { drawOnPad, shapeTableRows, waitForAttribute, waitForModelCard } from '../lib/figures.ts';
import { noProblems } from '../lib/guard.ts';
import { useHarness } from '../lib/harness.ts';

// The CNN's feature maps beside the digit pad (section 1), drawn by <rf-feature-maps> from the
// run of <rf-model-compare>: checked channel by channel against @receptive/core's own forward
// pass of the shipped ONNX file.
const card = modelCard('cnn');
const LAYERS = ['relu1', 'pool1', 'relu2', 'pool2'];
const PATH = '/lessons/curve-fitting/';

interface Channel {
  label: string;
  width: number;
  height: number;
  /** The red channel of every pixel, row-major (the maps of non-negative layers are grey). */
  red: number[];
  /** Distinct grey levels painted. */
  levels: number;
}

/** Every drawn channel of every layer, read back from the canvases. */
function readMaps(page: Page): Promise<Record<string, Channel[]>> {
  return page.evaluate(() => {
    const root = document.querySelector('rf-feature-maps')!.shadowRoot!;
    const out: Record<string, Channel[]> = {};
    for (const section of root.querySelectorAll<HTMLElement>('[data-layer]')) {
      out[section.dataset['layer']!] = [...section.querySelectorAll('canvas')].map((c) => {
        const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const red = Array.from({ length: c.width * c.height }, (_, i) => px[i * 4]!);
        return {
          label: c.getAttribute('aria-label') ?? '',
          width: c.width,
          height: c.height,
          red,
          levels: new Set(red).size,
        };
      });
    }
    return out;
  });
}

/** The core's activations of a held-out digit: per layer, per channel, peak value and where. */
function expected(index: number) {
  const { activations } = cnn.forwardAll(heldOutDigit(index));
  const out: Record<
    string,
    { dims: number[]; peaks: { value: number; at: number }[]; data: Float32Array; max: number }
  > = {};
  for (const name of LAYERS) {
    const t = activations[name]!;
    const [, c, h, w] = t.shape as number[];
    let max = 0;
    for (const v of t.data) max = Math.max(max, Math.abs(v));
    const peaks = Array.from({ length: c! }, (_, ch) => {
      let value = Number.NEGATIVE_INFINITY;
      let at = 0;
      for (let i = 0; i < h! * w!; i++) {
        const v = t.data[ch * h! * w! + i]!;
        if (v > value) {
          value = v;
          at = i;
        }
      }
      return { value, at };
    });
    out[name] = { dims: [c!, h!, w!], peaks, data: t.data, max };
  }
  return out;
}

describe('the CNN feature maps beside the digit pad', () => {
  const h = useHarness();

  it("draws each channel of each layer from the comparison's run, matching the core", async () => {
    const { page, problems } = await h.open(PATH);
    const maps = page.locator('rf-feature-maps');
    await maps.scrollIntoViewIfNeeded();
    await page.waitForSelector('rf-model-compare[data-state="ready"]', { timeout: 30_000 });
    assert.equal(await maps.getAttribute('data-state'), 'idle', 'nothing drawn before a digit');

    // Pick the first held-out digit with the pad's Next button (the keyboard path).
    const drawn = page.evaluate(
      () =>
        new Promise<{ model: string; layers: { name: string; dims: number[] }[] }>((resolve) =>
          document.addEventListener('rf-draw', (e) => resolve((e as CustomEvent).detail), {
            once: true,
          }),
        ),
    );
    await page.locator('rf-digit-pad [data-action="next"]').click();
    const detail = await drawn;
    await waitForModelCard(page, 'cnn', 'engine', 'core/cpu');
    await waitForAttribute(page, 'rf-feature-maps', 'data-state', 'drawn');
    const want = expected(0);
    assert.equal(detail.model, 'cnn');
    assert.deepEqual(
      detail.layers,
      LAYERS.map((name) => ({ name, dims: want[name]!.dims })),
    );
    // The shapes agree with the model card's architecture too.
    for (const name of LAYERS) {
      const layer = card.architecture.find((l: { name: string }) => l.name === name);
      assert.deepEqual(layer.outputShape, want[name]!.dims, name);
    }
    const got = await readMaps(page);
    for (const name of LAYERS) {
      const [c, hh, w] = want[name]!.dims as [number, number, number];
      assert.equal(got[name]!.length, c, `${name}: one canvas per channel`);
      got[name]!.forEach((ch, i) => {
        assert.equal(ch.width, w);
        assert.equal(ch.height, hh);
        const peak = want[name]!.peaks[i]!;
        const m = /strongest response (-?[\d.]+(?:e-?\d+)?) at row (\d+), column (\d+)/.exec(
          ch.label,
        );
        assert.ok(m, `${name}[${i}] label: ${ch.label}`);
        assert.ok(
          Math.abs(Number(m[1]) - peak.value) <= 0.01 * Math.max(1, Math.abs(peak.value)),
          `${name}[${i}]: peak ${m[1]} vs core ${peak.value}`,
        );
        if (peak.value > 0) {
          assert.equal(Number(m[2]) - 1, Math.floor(peak.at / w), `${name}[${i}] row`);
          assert.equal(Number(m[3]) - 1, peak.at % w, `${name}[${i}] column`);
          assert.ok(ch.levels > 1, `${name}[${i}]: painted`);
        }
        // Every pixel, ink on paper: white at 0, the shared ink (as the pad draws) at the
        // layer's largest value. A flipped, transposed, shifted or wrongly scaled channel fails.
        const { data, max } = want[name]!;
        const off = i * hh * w;
        for (let p = 0; p < hh * w; p++) {
          const t = Math.min(1, Math.max(0, data[off + p]! / max));
          const grey = 255 + (inkRgb(1)[0] - 255) * t;
          assert.ok(
            Math.abs(ch.red[p]! - grey) <= 1.5,
            `${name}[${i}] pixel ${p}: ${ch.red[p]} vs ${grey.toFixed(1)}`,
          );
        }
      });
    }

    // Each layer has a colour key: ink from 0 to its largest value, what its darkest ink means.
    const keys = await page.evaluate(() =>
      [
        ...document
          .querySelector('rf-feature-maps')!
          .shadowRoot!.querySelectorAll<HTMLElement>('[data-layer] .color-key'),
      ].map((k) => ({
        layer: k.closest<HTMLElement>('[data-layer]')!.dataset['layer'],
        map: k.dataset['map'],
        ends: [...k.querySelectorAll('.color-key-ends span')].map((e) => e.textContent),
        bar: getComputedStyle(k.querySelector('.color-key-bar')!).backgroundImage,
      })),
    );
    assert.deepEqual(
      keys.map((k) => k.layer),
      LAYERS,
    );
    for (const k of keys) {
      assert.equal(k.map, 'ink', `${k.layer}: non-negative, so ink on paper`);
      assert.equal(k.ends[0], '0');
      const top = Number(k.ends[1]);
      const max = want[k.layer!]!.max;
      assert.ok(Math.abs(top - max) <= 0.01 * max, `${k.layer}: key ends at ${top}, max ${max}`);
      assert.match(k.bar, /^linear-gradient\(to right, rgb\(255, 255, 255\)/);
    }

    // Once the digit rests, a polite live region names each layer's strongest channel.
    const bestOf = (name: string) =>
      want[name]!.peaks.reduce((b, p, i, all) => (p.value > all[b]!.value ? i : b), 0) + 1;
    await page.waitForFunction(
      () =>
        (document.querySelector('rf-feature-maps')?.shadowRoot?.querySelector('[data-live]')
          ?.textContent ?? '') !== '',
    );
    assert.equal(
      await page.evaluate(
        () =>
          document.querySelector('rf-feature-maps')!.shadowRoot!.querySelector('[data-live]')!
            .textContent,
      ),
      `Feature maps of the cnn model. Strongest channel: ${LAYERS.map((n) => `${n} ${bestOf(n)}`).join(', ')}.`,
    );

    // Clearing the pad clears the maps; a drawn stroke draws them again.
    await page.evaluate(() =>
      (document.getElementById('pad') as unknown as { clear(): void }).clear(),
    );
    await waitForAttribute(page, 'rf-feature-maps', 'data-state', 'idle');
    const again = page.evaluate(
      () =>
        new Promise<number>((resolve) =>
          document.addEventListener('rf-draw', (e) => resolve((e as CustomEvent).detail.ms), {
            once: true,
          }),
        ),
    );
    // A stroke down the middle, a fifth of the pad from its top and bottom.
    await drawOnPad(page, [
      [
        [140, 56],
        [140, 224],
      ],
    ]);
    assert.ok((await again) >= 0);
    assert.equal(await maps.getAttribute('data-state'), 'drawn');
    assert.deepEqual(problems, noProblems());
  });

  it('names the layers it lacks, and keeps working when told the right ones', async () => {
    const { page, problems } = await h.open(PATH);
    await page.locator('rf-feature-maps').scrollIntoViewIfNeeded();
    await page.waitForSelector('rf-model-compare[data-state="ready"]', { timeout: 30_000 });
    await page.locator('rf-digit-pad [data-action="next"]').click();
    await page.waitForSelector('rf-feature-maps[data-state="drawn"]');
    await page.evaluate(() =>
      document.querySelector('rf-feature-maps')!.setAttribute('layers', 'conv1 flatten'),
    );
    await page.waitForSelector('rf-feature-maps[data-state="error"]');
    const status = await page.evaluate(
      () =>
        document.querySelector('rf-feature-maps')!.shadowRoot!.querySelector('.status')!
          .textContent,
    );
    assert.match(status ?? '', /no channels × height × width output named “flatten”/);
    assert.match(status ?? '', /conv1, relu1, pool1, conv2, relu2, pool2/);
    // A bad attribute value is refused with a message and the element keeps its layers.
    await page.evaluate(() =>
      document.querySelector('rf-feature-maps')!.setAttribute('model', 'resnet'),
    );
    await page.waitForTimeout(50);
    assert.equal(problems.consoleErrors.length, 1);
    assert.match(
      problems.consoleErrors[0]!,
      /<rf-feature-maps> model: received "resnet", expected one of/,
    );
    problems.consoleErrors.length = 0;
    await page.evaluate(() =>
      document.querySelector('rf-feature-maps')!.setAttribute('layers', 'conv1'),
    );
    await page.waitForSelector('rf-feature-maps[data-state="drawn"]');
    const got = await readMaps(page);
    assert.deepEqual(Object.keys(got), ['conv1']);
    assert.equal(got['conv1']!.length, card.architecture[0].outputShape[0]);
    // conv1 is signed (before ReLU): its key is the diverging scale, from minus to plus its
    // largest magnitude.
    const key = await page.evaluate(() => {
      const k = document
        .querySelector('rf-feature-maps')!
        .shadowRoot!.querySelector<HTMLElement>('[data-layer="conv1"] .color-key')!;
      return { map: k.dataset['map'], ends: k.querySelector('.color-key-ends')!.textContent };
    });
    assert.equal(key.map, 'diverging');
    assert.match(key.ends ?? '', /^−([\d.]+)0\1$/);
    assert.deepEqual(problems, noProblems());
  });

  it('without JavaScript, shows the layer shapes from the model card', async () => {
    const { page, problems } = await h.open(PATH, { javaScriptEnabled: false });
    await page.waitForLoadState('networkidle');
    assert.deepEqual(
      await shapeTableRows(page, 'rf-feature-maps'),
      LAYERS.map((name) => [
        name,
        card.architecture.find((l: { name: string }) => l.name === name).outputShape.join(' × '),
      ]),
    );
    assert.deepEqual(problems, noProblems());
  });
});
