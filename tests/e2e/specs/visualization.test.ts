// The visualization lesson: every figure's numbers against an independent computation in Node
// (onnxruntime-node for the page's onnxruntime-web batch jobs, @receptive/core for what the page
// computes with the core), keyboard use, announcements, reduced motion, no JavaScript, axe, both
// screen sizes and nothing offsite.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import {
  type ChannelMaxima,
  channelMaxima,
  occlusion,
  rankChannel,
  receptiveField,
  saliency,
} from '@receptive/core';
import {
  chunkFile,
  DIGIT_SETS,
  decodeDigits,
  drawMark,
  joinChunks,
  MARK_ROW,
  markColumn,
} from '@receptive/models';
import { fromOnnx } from '@receptive/onnx';
import { OCCLUSION } from '@receptive/widgets/specs';
import type { Locator, Page } from 'playwright-core';
import { assertNoSeriousViolations } from '../lib/axe.ts';
import { launchDiskProfile } from '../lib/browser.ts';
import { MODELS_DIR, modelCard } from '../lib/digits.ts';
import { destroyWorkerGpuDevices, keepWorkerGpuDevices } from '../lib/gpu-loss.ts';
import { SCREENSHOT_DIR, useHarness } from '../lib/harness.ts';
import { throttle } from '../lib/network.ts';

const PATH = '/lessons/visualization/';

interface OrtSession {
  run(
    feeds: Record<string, unknown>,
    fetches: string[],
  ): Promise<Record<string, { data: unknown; dims: readonly number[] }>>;
  release(): Promise<void>;
}
const ort = createRequire(`${MODELS_DIR}/`)('onnxruntime-node') as {
  InferenceSession: { create(bytes: Uint8Array): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
};

const onnxBytes = (name: string) =>
  new Uint8Array(readFileSync(`${MODELS_DIR}/models/${name}.onnx`));
const core = (name: string) => fromOnnx(onnxBytes(name));

/** All 10,000 official test digits, from the chunks the page downloads. */
const test = joinChunks(
  Array.from({ length: 10 }, (_, index) => ({
    ...decodeDigits(gunzipSync(readFileSync(`${MODELS_DIR}/data/${chunkFile('test', index)}`))),
    set: 'test' as const,
    index,
    first: index * 1000,
  })),
);

/** Each channel's maxima of conv1 and conv2 over the test digits, by onnxruntime-node. */
async function nodeMaxima(): Promise<Record<string, ChannelMaxima>> {
  const session = await ort.InferenceSession.create(onnxBytes('cnn'));
  const out: Record<string, ChannelMaxima> = {};
  const n = DIGIT_SETS.test.count;
  for (let start = 0; start < n; start += 1000) {
    const x = test.pixels.subarray(start * 784, (start + 1000) * 784);
    const r = await session.run({ input: new ort.Tensor('float32', x, [1000, 1, 28, 28]) }, [
      'conv1',
      'conv2',
    ]);
    for (const l of ['conv1', 'conv2']) {
      const a = r[l]!;
      const [, c, h, w] = a.dims as number[];
      out[l] ??= {
        count: n,
        channels: c!,
        height: h!,
        width: w!,
        value: new Float32Array(n * c!),
        at: new Int32Array(n * c!),
      };
      channelMaxima({ shape: [...a.dims], data: a.data as Float32Array }, out[l], start);
    }
  }
  await session.release();
  return out;
}

async function figureOf(page: Page, tag: string): Promise<Locator> {
  const fig = page.locator(tag).first();
  await fig.scrollIntoViewIfNeeded();
  return fig;
}

const stateOf = (page: Page, tag: string, key: string, value: string, timeout = 180_000) =>
  page.waitForFunction(
    ([t, k, v]) => (document.querySelector(t!) as HTMLElement | null)?.dataset[k!] === v,
    [tag, key, value],
    { timeout, polling: 250 },
  );

/** Waits until figure `tag`'s live region says something that matches `says`. */
const liveSays = (page: Page, tag: string, says: RegExp) =>
  page.waitForFunction(
    ([tag, re]) =>
      new RegExp(re).test(
        document.querySelector(tag)?.shadowRoot?.querySelector('[aria-live]')?.textContent ?? '',
      ),
    [tag, says.source] as const,
  );

/** What `<rf-vis-top>` shows for one channel: its top and bottom test digits. */
interface TopShown {
  top: { index: number; value: number; y: number; x: number; label: number; region: object }[];
  bottom: { index: number }[];
  layer: string;
  channel: number;
}

const h = useHarness();

describe('visualization lesson', () => {
  it('draws the CNN’s kernels beside the feature maps the core computes, for either layer by keyboard', async () => {
    const { page, problems } = await h.open(PATH);
    const fig = await figureOf(page, 'rf-vis-kernels');
    const cnn = core('cnn');
    for (const layer of ['conv1', 'conv2']) {
      if (layer === 'conv2') {
        await fig.getByRole('button', { name: 'conv2' }).focus();
        await page.keyboard.press('Enter');
      }
      await stateOf(page, 'rf-vis-kernels', 'drawn', layer, 60_000);
      const drawn = await fig.evaluate((f) => {
        const d = (
          f as unknown as {
            drawn: {
              layer: string;
              weights: Float32Array;
              pixels: Float32Array;
              maps: Float32Array;
            };
          }
        ).drawn;
        return {
          layer: d.layer,
          weights: Array.from(d.weights),
          pixels: Array.from(d.pixels),
          maps: Array.from(d.maps),
        };
      });
      assert.equal(drawn.layer, layer);
      const l = cnn.layer(layer) as unknown as { weight: { data: Float32Array } };
      assert.deepEqual(drawn.weights, Array.from(l.weight.data));
      const want = cnn.forwardAll({ shape: [1, 1, 28, 28], data: Float32Array.from(drawn.pixels) })
        .activations[layer]!.data;
      assert.equal(drawn.maps.length, want.length);
      assert.ok(drawn.maps.every((v, i) => Math.abs(v - want[i]!) <= 1e-5));
      // One cell per filter of the shipped model's layer.
      const filters = (cnn.layer(layer) as unknown as { weight: { shape: number[] } }).weight
        .shape[0];
      assert.equal(await fig.locator('li[data-channel]').count(), filters);
    }
    assert.deepEqual(problems.offsiteRequests, []);
    assert.deepEqual(problems.pageErrors, []);
  });

  it('ranks the 10,000 test digits for a channel as onnxruntime-node does, crops the core’s traced fields, and takes another channel by keyboard', async (t) => {
    const { page, problems } = await h.open(PATH);
    const fig = await figureOf(page, 'rf-vis-top');
    await stateOf(page, 'rf-vis-top', 'state', 'ready');
    const node = await nodeMaxima();
    const cnn = core('cnn');
    const check = async (layer: string, channel: number) => {
      await stateOf(page, 'rf-vis-top', 'drawn', `${layer}:${channel}:10000`, 30_000);
      const shown = await fig.evaluate((f) => {
        const e = f as unknown as TopShown;
        return { top: e.top, bottom: e.bottom, layer: e.layer, channel: e.channel };
      });
      assert.equal(shown.layer, layer);
      assert.equal(shown.channel, channel);
      const want = rankChannel(node[layer]!, channel, 16, 'top');
      assert.deepEqual(
        shown.top.map((s) => s.index),
        want.map((w) => w.index),
      );
      assert.deepEqual(
        shown.bottom.map((s) => s.index),
        rankChannel(node[layer]!, channel, 8, 'bottom').map((w) => w.index),
      );
      for (const [k, s] of shown.top.entries()) {
        assert.ok(Math.abs(s.value - want[k]!.value) < 1e-4);
        assert.equal(s.label, test.labels[s.index]);
        assert.deepEqual(s.region, receptiveField(cnn, layer, { y: s.y, x: s.x }).region);
      }
      // Every crop drawn is the traced field's size.
      const crops = await fig.evaluate((f) =>
        [
          ...f.shadowRoot!.querySelectorAll<HTMLCanvasElement>('.grid:first-of-type canvas.crop'),
        ].map((c) => [c.height, c.width]),
      );
      const size = receptiveField(cnn, layer, { y: shown.top[0]!.y, x: shown.top[0]!.x }).region;
      assert.ok(crops.length >= 16);
      assert.deepEqual(crops[0], [size.y1 - size.y0 + 1, size.x1 - size.x0 + 1]);
    };
    await check('conv1', 0);
    const scoreMs = await fig.evaluate((f) => (f as unknown as { scoreMs: number }).scoreMs);
    // Keyboard only: the channel menu, then the layer menu.
    await fig.locator('#channel').focus();
    await page.keyboard.press('ArrowDown');
    await check('conv1', 1);
    await fig.locator('#layer').focus();
    await page.keyboard.press('ArrowDown');
    await check('conv2', 1);
    const rank = await fig.evaluate((f) =>
      (f as unknown as { rankTimes: number[] }).rankTimes.at(-1),
    );
    // The top digits' labels are announced.
    await liveSays(page, 'rf-vis-top', /fires most on test digits labelled/);
    // The gradient-ascent pattern climbs.
    await stateOf(page, 'rf-vis-top', 'ascent', 'done', 60_000);
    const pattern = await fig.evaluate((f) => {
      const p = (
        f as unknown as { pattern: { steps: number; objective: number; image: Float32Array } }
      ).pattern;
      return {
        steps: p.steps,
        objective: p.objective,
        first: (f as unknown as { ascentFirstMs: number }).ascentFirstMs,
      };
    });
    t.diagnostic(
      `scored 10,000 digits in ${(scoreMs / 1000).toFixed(2)} s; ranking another channel ${rank?.toFixed(1)} ms; first pattern after ${pattern.first.toFixed(0)} ms, ${pattern.steps} steps, centre unit ${pattern.objective.toFixed(3)}`,
    );
    assert.ok(pattern.objective > 0);
    await assertNoSeriousViolations(page, 'top-activating figure');
    assert.deepEqual(problems.offsiteRequests, []);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.failedRequests, []);
  });

  it('draws occlusion and saliency maps equal to the core’s for both networks, and follows an edit of the digit', async () => {
    const { page, problems } = await h.open(PATH);
    const fig = await figureOf(page, 'rf-vis-saliency');
    await stateOf(page, 'rf-vis-saliency', 'state', 'ready');
    const models = { cnn: core('cnn'), mlp: core('mlp') };
    const compare = async () => {
      const got = await fig.evaluate((f) => {
        const e = f as unknown as {
          pixels: Float32Array;
          results: {
            model: string;
            prediction: number;
            occlusion: { drops: { data: Float32Array }; map: { data: Float32Array } };
            saliency: { map: { data: Float32Array } };
          }[];
        };
        return {
          pixels: Array.from(e.pixels),
          results: e.results.map((r) => ({
            model: r.model,
            prediction: r.prediction,
            drops: Array.from(r.occlusion.drops.data),
            occ: Array.from(r.occlusion.map.data),
            sal: Array.from(r.saliency.map.data),
          })),
        };
      });
      const x = { shape: [1, 1, 28, 28], data: Float32Array.from(got.pixels) };
      assert.equal(got.results.length, 2);
      for (const r of got.results) {
        const m = models[r.model as 'cnn' | 'mlp'];
        const o = occlusion(m, x, OCCLUSION);
        const s = saliency(m, x, o.target);
        assert.equal(r.prediction, o.target);
        const worst = (a: number[], b: Float32Array) =>
          a.reduce((w, v, i) => Math.max(w, Math.abs(v - b[i]!)), 0);
        assert.ok(worst(r.drops, o.drops.data) <= 1e-5, `${r.model} occlusion`);
        assert.ok(worst(r.occ, o.map.data) <= 1e-5, `${r.model} occlusion map`);
        assert.ok(worst(r.sal, s.map.data) <= 1e-5, `${r.model} saliency`);
      }
      return got.pixels;
    };
    const before = await compare();
    // Draw a stroke on the pad; both maps follow the new digit.
    const pad = page.locator('rf-digit-pad').first();
    await pad.scrollIntoViewIfNeeded();
    const canvas = pad.locator('canvas').first();
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.5, { steps: 8 });
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.85, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction(
      (b) => {
        const f = document.querySelector('rf-vis-saliency') as unknown as {
          pixels: Float32Array;
          dataset: DOMStringMap;
        };
        return f.dataset['state'] === 'ready' && f.pixels.some((v, i) => v !== b[i]);
      },
      before,
      { timeout: 30_000 },
    );
    await compare();
    await fig.scrollIntoViewIfNeeded();
    await liveSays(page, 'rf-vis-saliency', /CNN says \d/);
    await assertNoSeriousViolations(page, 'saliency figure');
    assert.deepEqual(problems.offsiteRequests, []);
    assert.deepEqual(problems.pageErrors, []);
  });

  it('measures the shortcut model’s three accuracies as its card does, and the prediction follows the mark moved by keyboard and dragged', async (t) => {
    const { page, problems } = await h.open(PATH);
    const fig = await figureOf(page, 'rf-vis-shortcut');
    await stateOf(page, 'rf-vis-shortcut', 'measuring', 'done', 240_000);
    const measured = (await fig.evaluate((f) => {
      const m = (f as unknown as { measured: Record<string, unknown> }).measured;
      return { ...m, top1: null };
    })) as Record<string, number | string | null>;
    const card = modelCard('cnn-shortcut').shortcut;
    for (const k of ['clean', 'marked', 'swapped', 'followsMark']) {
      assert.equal(measured[k as keyof typeof measured], card[k], k);
    }
    t.diagnostic(
      `shortcut accuracies measured in the page in ${((measured.elapsedMs as number) / 1000).toFixed(1)} s on ${measured.backend}: marked ${card.marked}, clean ${card.clean}, swapped ${card.swapped}`,
    );
    const shortcut = core('cnn-shortcut');
    const state = () =>
      fig.evaluate((f) => {
        const e = f as unknown as {
          pixels: Float32Array;
          mark: { y: number; x: number } | null;
          probs: number[];
          saliencyMap: Float32Array;
          label: number;
        };
        return {
          pixels: Array.from(e.pixels),
          mark: e.mark,
          probs: e.probs,
          sal: Array.from(e.saliencyMap),
          label: e.label,
        };
      });
    const predicted = (pixels: number[], mark: { y: number; x: number } | null) => {
      const x = Float32Array.from(pixels);
      if (mark) drawMark(x, mark.y, mark.x);
      const t4 = { shape: [1, 1, 28, 28], data: x };
      const p = Array.from(shortcut.forward(t4).data);
      return { p, top: p.indexOf(Math.max(...p)), s: saliency(shortcut, t4) };
    };
    /**
     * Reads the figure and asserts that its mark is at the place of class `markClass` (the
     * digit's own label by default) and that its probabilities are the core's.
     */
    const markedAt = async (markClass?: number) => {
      const s = await state();
      assert.deepEqual(s.mark, { y: MARK_ROW, x: markColumn(markClass ?? s.label) });
      const want = predicted(s.pixels, s.mark);
      assert.ok(s.probs.every((p, i) => Math.abs(p - want.p[i]!) < 1e-5));
      return { s, want };
    };
    /** ...and that the prediction it shows is the core's. */
    const predictsAsCore = async (markClass: number) => {
      const { s, want } = await markedAt(markClass);
      assert.equal(
        await fig.evaluate((f) => (f as HTMLElement).dataset['prediction']),
        String(want.top),
      );
      return { s, want };
    };
    let { s, want } = await markedAt();
    assert.ok(s.sal.every((v, i) => Math.abs(v - want.s.map.data[i]!) < 1e-5));
    // It looks at the mark: the most salient pixel is on the mark or next to it.
    const hot = s.sal.indexOf(Math.max(...s.sal));
    const [hy, hx] = [Math.floor(hot / 28), hot % 28];
    t.diagnostic(
      `most salient pixel at row ${hy}, column ${hx}; the mark at ${JSON.stringify(s.mark)}`,
    );
    assert.ok(Math.abs(hy - s.mark!.y - 0.5) <= 1.5 && Math.abs(hx - s.mark!.x - 0.5) <= 1.5);
    // Keyboard only: move the mark to another class's place; the prediction follows as the core says.
    const target = (s.label + 3) % 10;
    await fig.locator('.mark').focus();
    const steps = markColumn(target) - s.mark!.x;
    for (let i = 0; i < Math.abs(steps); i++)
      await page.keyboard.press(steps > 0 ? 'ArrowRight' : 'ArrowLeft');
    ({ s, want } = await predictsAsCore(target));
    t.diagnostic(
      `a ${s.label} with the mark of ${target}: the page and the core both say ${want.top}`,
    );
    // By pointer: drag the mark from where it is to the place of yet another class.
    const other = (s.label + 6) % 10;
    const stage = fig.locator('.stage');
    const box = (await stage.boundingBox())!;
    const cell = box.width / 28;
    const at = (m: { y: number; x: number }) => ({
      x: box.x + (m.x + 1) * cell,
      y: box.y + (m.y + 1) * cell,
    });
    const from = at(s.mark!);
    const to = at({ y: MARK_ROW, x: markColumn(other) });
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 6 });
    await page.mouse.up();
    ({ want } = await predictsAsCore(other));
    t.diagnostic(`dragged to the mark of ${other}: the page and the core both say ${want.top}`);
    await liveSays(page, 'rf-vis-shortcut', /the model says \d/);
    await assertNoSeriousViolations(page, 'shortcut figure');
    assert.deepEqual(problems.offsiteRequests, []);
    assert.deepEqual(problems.pageErrors, []);
  });

  it('follows the scrolly steps: the kernels’ layer, and the shortcut’s mark, whose swapped place makes the network answer 3 as the core does', async (t) => {
    const { page, problems } = await h.open(PATH, { viewport: { width: 1280, height: 800 } });
    /** Brings a step to the middle of the viewport, where it becomes the active one. */
    const toStep = async (state: string) => {
      const step = page.locator(`[data-step][data-state="${state}"]`);
      await step.evaluate((s) => s.scrollIntoView({ block: 'center' }));
      await page.waitForFunction(
        (st) =>
          document
            .querySelector(`[data-step][data-state="${st}"]`)
            ?.closest('rf-scrolly')
            ?.getAttribute('data-state') === st,
        state,
      );
    };
    await toStep('first');
    await stateOf(page, 'rf-vis-kernels', 'drawn', 'conv1', 60_000);
    await toStep('second');
    await stateOf(page, 'rf-vis-kernels', 'drawn', 'conv2', 10_000);
    await toStep('first');
    await stateOf(page, 'rf-vis-kernels', 'drawn', 'conv1', 10_000);

    await toStep('own');
    await stateOf(page, 'rf-vis-shortcut', 'state', 'ready', 60_000);
    const fig = page.locator('rf-vis-shortcut');
    const shortcut = core('cnn-shortcut');
    const shown = () =>
      fig.evaluate((f) => {
        const e = f as unknown as { pixels: Float32Array; label: number; probs: number[] };
        return {
          pixels: Array.from(e.pixels),
          label: e.label,
          probs: e.probs,
          mark: (f as HTMLElement).dataset['mark'],
          prediction: (f as HTMLElement).dataset['prediction'],
        };
      });
    const coreSays = (pixels: number[], mark: { y: number; x: number } | null) => {
      const x = Float32Array.from(pixels);
      if (mark) drawMark(x, mark.y, mark.x);
      const p = Array.from(shortcut.forward({ shape: [1, 1, 28, 28], data: x }).data);
      return p.indexOf(Math.max(...p));
    };
    let s = await shown();
    assert.equal(s.mark, `${MARK_ROW},${markColumn(s.label)}`);
    for (const [state, place] of [
      ['gone', null],
      ['swapped', 3],
      ['looks', s.label],
    ] as const) {
      await toStep(state);
      const mark = place === null ? null : { y: MARK_ROW, x: markColumn(place) };
      await stateOf(page, 'rf-vis-shortcut', 'mark', mark ? `${mark.y},${mark.x}` : '', 10_000);
      s = await shown();
      const want = coreSays(s.pixels, mark);
      assert.equal(s.prediction, String(want), state);
      t.diagnostic(
        `step ${state}: a ${s.label} with ${place === null ? 'no mark' : `the mark of ${place}`}: the page and the core say ${want}`,
      );
      // The step's text says the mark of 3 makes the network answer 3.
      if (state === 'swapped') assert.equal(want, 3);
    }
    assert.deepEqual(problems.offsiteRequests, []);
    assert.deepEqual(problems.pageErrors, []);
  });

  it('takes the channel of a unit picked by keyboard in the 3D network', async () => {
    const { page, problems } = await h.open(PATH);
    await page.locator('rf-digit-pad').scrollIntoViewIfNeeded();
    await page.waitForSelector('rf-model-compare[data-state="ready"]', { timeout: 60_000 });
    await page.locator('rf-digit-pad [data-action="next"]').click();
    const net = page.locator('rf-network-3d');
    await net.scrollIntoViewIfNeeded();
    await page.waitForSelector('rf-network-3d[data-state="drawn"]', { timeout: 60_000 });
    await net.locator('.toolbar button').last().focus();
    await page.keyboard.press('Tab');
    const picked = () =>
      net.evaluate(
        (n) => (n as unknown as { picked: { layer: string; channel: number } | null }).picked,
      );
    const chosen = () =>
      page.evaluate(() => {
        const e = document.querySelector('rf-vis-top') as HTMLElement;
        return `${e.dataset['layer']}:${e.dataset['channel']}`;
      });
    // Focus picks a unit of conv1; two channels on; then on to relu1, pool1 (same channels) and conv2.
    const expect = async (layer: string) => {
      const p = (await picked())!;
      await page.waitForFunction(
        (want) => {
          const e = document.querySelector('rf-vis-top') as HTMLElement;
          return `${e.dataset['layer']}:${e.dataset['channel']}` === want;
        },
        `${layer}:${p.channel}`,
        { timeout: 10_000 },
      );
      return p;
    };
    let p = await expect('conv1');
    assert.equal(p.layer, 'conv1');
    await page.keyboard.press('PageDown');
    await page.keyboard.press('PageDown');
    p = await expect('conv1');
    assert.equal(p.channel, 2);
    await page.keyboard.press('.');
    await page.keyboard.press('.');
    p = await expect('conv1');
    assert.equal(p.layer, 'pool1');
    await page.keyboard.press('.');
    for (let i = 0; i < 9; i++) await page.keyboard.press('PageDown');
    p = await expect('conv2');
    assert.deepEqual([p.layer, p.channel > 7], ['conv2', true]);
    const note = await page
      .locator('rf-vis-top')
      .evaluate((e) => e.shadowRoot!.querySelector('.pick')!.textContent);
    assert.equal(
      note,
      `Channel ${p.channel} of conv2, picked in the 3D network (a unit of conv2).`,
    );
    // A unit past the convolutions has no channel to choose: the choice stays, and the note says why.
    let dense = (await picked())!;
    for (let i = 0; i < 6 && /^(conv|relu|pool)/.test(dense.layer); i++) {
      await page.keyboard.press('.');
      dense = (await picked())!;
    }
    await page.waitForFunction(
      () =>
        /has no channel of conv1 or conv2/.test(
          document.querySelector('rf-vis-top')!.shadowRoot!.querySelector('.pick')!.textContent ??
            '',
        ),
      undefined,
      { timeout: 10_000 },
    );
    assert.doesNotMatch(dense.layer, /^(conv|relu|pool)/);
    assert.equal(await chosen(), `conv2:${p.channel}`);
    assert.deepEqual(problems.offsiteRequests, []);
    assert.deepEqual(problems.pageErrors, []);
  });

  it('a reader’s browser downloads onnxruntime-web’s WebAssembly once for both batch figures, on a slow network', async () => {
    // Not a guarded context (its routing turns the HTTP cache off): offsite requests are
    // watched here instead.
    const profile = await launchDiskProfile({ baseURL: h.server.origin });
    const { context, page } = profile;
    const offsite: string[] = [];
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    context.on('request', (r) => {
      if (!r.url().startsWith(h.server.origin) && !/^(data|blob):/.test(r.url()))
        offsite.push(r.url());
    });
    // Bytes that came over the network for each runtime file (a copy the HTTP cache served
    // brings no body).
    const wasm: { url: string; bytes: number }[] = [];
    const sizes: Promise<void>[] = [];
    context.on('requestfinished', (r) => {
      if (!/ort-wasm[\w.-]*\.wasm$/.test(r.url())) return;
      sizes.push(
        r.sizes().then((s) => {
          wasm.push({ url: r.url(), bytes: s.responseBodySize });
        }),
      );
    });
    // A slow network: the runtime's download takes seconds, not a fraction of one.
    await throttle(await context.newCDPSession(page), { down: 4_000_000, latencyMs: 20 });
    await page.goto(PATH);
    // Both figures wake within a moment of each other: each starts its own worker.
    await figureOf(page, 'rf-vis-top');
    // Woken (its observer fires a frame or more after the scroll), before scrolling on.
    await page.waitForFunction(
      () => !!(document.querySelector('rf-vis-top') as HTMLElement).dataset['state'],
    );
    await figureOf(page, 'rf-vis-shortcut');
    // Each has its runtime once it runs or has run (a short run can end between two polls).
    await page.waitForFunction(
      () =>
        ['running', 'ready'].includes(
          (document.querySelector('rf-vis-top') as HTMLElement).dataset['state'] ?? '',
        ) &&
        ['running', 'done'].includes(
          (document.querySelector('rf-vis-shortcut') as HTMLElement).dataset['measuring'] ?? '',
        ),
      undefined,
      { timeout: 180_000, polling: 250 },
    );
    await Promise.all(sizes);
    // Both workers asked for it; one copy came over the network.
    assert.equal(wasm.length, 2, `two requests for the runtime: ${JSON.stringify(wasm)}`);
    const downloaded = wasm.filter((w) => w.bytes > 100_000);
    assert.equal(
      downloaded.length,
      1,
      `the runtime's WebAssembly came over the network once: ${JSON.stringify(wasm)}`,
    );
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(offsite, []);
    await profile.close();
  });

  it('without JavaScript shows the build-time kernels and maps, saliency of both models, top digits and the card’s shortcut table', async () => {
    const { page } = await h.open(PATH, { javaScriptEnabled: false });
    const node = await nodeMaxima();
    const summary = await page.locator('rf-vis-top details summary').first().textContent();
    const labels = rankChannel(node['conv1']!, 0, 16, 'top').map((r) => test.labels[r.index]);
    assert.equal(summary?.trim(), `Channel 0 of conv1: labels ${labels.join(', ')}`);
    // The kernels and their feature maps of test digit 1, and both models' maps, as PNG images
    // whose descriptions carry the core's numbers.
    const cnn = core('cnn');
    const digit = test.pixels.slice(0, 784);
    const maps = cnn.forwardAll({ shape: [1, 1, 28, 28], data: digit }, 'conv1').activations[
      'conv1'
    ]!.data;
    const kernelAlts = await page
      .locator('rf-vis-kernels img.map')
      .evaluateAll((imgs) =>
        imgs.map((i) => [(i as HTMLImageElement).alt, (i as HTMLImageElement).naturalWidth]),
      );
    assert.equal(kernelAlts.length, maps.length / 676, 'one map per conv1 filter');
    // The lesson's sentences count the shipped model's filters (<ModelFact>, from its card).
    const filters = (name: string) =>
      (cnn.layer(name) as unknown as { weight: { shape: number[] } }).weight.shape[0];
    const prose = (await page.locator('main').textContent())!.replace(/\s+/g, ' ');
    for (const sentence of [
      `Each small square is one of the ${filters('conv1')} `,
      `its ${filters('conv2')} filters has one `,
      `${filters('conv1')} slices in all`,
    ]) {
      assert.ok(prose.includes(sentence), `the lesson says "${sentence}"`);
    }
    for (const [c, [alt, width]] of kernelAlts.entries()) {
      const map = maps.subarray(c * 676, (c + 1) * 676);
      const range = (v: number) => v.toFixed(2).replace('-', '−');
      assert.equal(
        alt,
        `Feature map of channel ${c}, 26 × 26, from ${range(Math.min(...map))} to ${range(Math.max(...map))}`,
      );
      assert.equal(width, 26, 'one image pixel per map unit');
    }
    const x = { shape: [1, 1, 28, 28], data: digit };
    for (const name of ['cnn', 'mlp'] as const) {
      const o = occlusion(core(name), x, OCCLUSION);
      const text =
        (await page
          .locator(`rf-vis-saliency section[aria-label="${name.toUpperCase()}"]`)
          .textContent()) ?? '';
      assert.match(text, new RegExp(`Says ${o.target} \\(`), name);
      const imgs = page.locator(`rf-vis-saliency section[aria-label="${name.toUpperCase()}"] img`);
      assert.equal(await imgs.count(), 2);
      assert.equal(await imgs.first().evaluate((i) => (i as HTMLImageElement).naturalWidth), 28);
    }
    const table = (await page.locator('rf-vis-shortcut table').textContent()) ?? '';
    const card = modelCard('cnn-shortcut').shortcut;
    for (const k of ['clean', 'marked', 'swapped']) {
      assert.ok(table.includes(`${(card[k] * 100).toFixed(1)}%`), k);
    }
  });

  for (const [width, height] of [
    [390, 844],
    [1280, 800],
  ] as const) {
    it(`fits ${width} x ${height} with reduced motion: no sideways scroll, no running animation`, async () => {
      const { page, problems } = await h.open(PATH, {
        viewport: { width, height },
        reducedMotion: 'reduce',
      });
      for (const tag of ['rf-vis-kernels', 'rf-vis-top', 'rf-vis-saliency', 'rf-vis-shortcut']) {
        const fig = await figureOf(page, tag);
        await page.waitForTimeout(1500);
        await fig.screenshot({
          path: new URL(`visualization-${tag}-${width}.png`, SCREENSHOT_DIR).pathname,
        });
      }
      await stateOf(page, 'rf-vis-saliency', 'state', 'ready');
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= width, `page is ${wide} px wide at ${width}`);
      const animations = await page.evaluate(() =>
        ['rf-vis-kernels', 'rf-vis-top', 'rf-vis-saliency', 'rf-vis-shortcut'].reduce(
          (n, tag) => n + (document.querySelector(tag)?.shadowRoot?.getAnimations().length ?? 0),
          0,
        ),
      );
      assert.equal(animations, 0);
      await assertNoSeriousViolations(page, `${width} px`);
      assert.deepEqual(problems.offsiteRequests, []);
      assert.deepEqual(problems.pageErrors, []);
    });
  }
});

// A graphics card lost while the shortcut model is measured on WebGPU (SwiftShader's adapter is
// real enough to run it and to lose a device): the worker goes on on WebAssembly and says so.
describe('the shortcut measurement on WebGPU', () => {
  const gpu = useHarness({ webgpu: true });

  /**
   * Opens the lesson with figure `tag` on WebGPU (asked for before it nears the viewport, where
   * it starts its worker), waits until its `data-{key}` is `running` on webgpu, destroys the
   * worker's device and waits until `data-{key}` is `done`. Resolves to the figure's text.
   */
  async function loseMidRun(tag: string, key: string, done: string) {
    const { context, page, problems } = await gpu.newPage();
    const workers = keepWorkerGpuDevices(page);
    await page.goto(PATH);
    await page.evaluate((t) => document.querySelector(t)!.setAttribute('backend', 'webgpu'), tag);
    await figureOf(page, tag);
    await page.waitForFunction(
      ([t, k]) => {
        const f = document.querySelector(t!);
        return (
          f?.getAttribute(`data-${k}`) === 'running' &&
          /on webgpu/.test(f.shadowRoot?.textContent ?? '')
        );
      },
      [tag, key],
      { timeout: 180_000, polling: 100 },
    );
    const lost = await destroyWorkerGpuDevices(workers);
    assert.ok(lost >= 1, `found the device the worker computes on (${lost})`);
    await stateOf(page, tag, key, done, 300_000);
    const fig = page.locator(tag);
    const text = (await fig.evaluate((f) => f.shadowRoot!.textContent)) ?? '';
    return { context, problems, fig, text };
  }

  it('finishes on WebAssembly when the GPU device is lost mid-run, the card’s accuracies, and says why', async (t) => {
    const { context, problems, fig, text } = await loseMidRun(
      'rf-vis-shortcut',
      'measuring',
      'done',
    );
    const measured = (await fig.evaluate((f) => {
      const m = (f as unknown as { measured: Record<string, unknown> }).measured;
      return { ...m, top1: null };
    })) as Record<string, number | string | null>;
    t.diagnostic(
      `measured in ${((measured.elapsedMs as number) / 1000).toFixed(1)} s, finishing on ${measured.backend}`,
    );
    assert.equal(measured.backend, 'wasm');
    assert.match(
      text,
      /Measured in your browser on all 10,000 test digits in [\d.]+ s \(wasm; .*(lost|webgpu failed while running).*\)\./,
    );
    // The digits run before the loss ran on the graphics card: a top-1 may differ there by
    // float rounding, so the card's accuracies are held to a tenth of a point.
    const card = modelCard('cnn-shortcut').shortcut;
    for (const k of ['clean', 'marked', 'swapped']) {
      const d = Math.abs((measured[k] as number) - card[k]);
      assert.ok(d <= 0.001, `${k}: ${measured[k]} vs the card's ${card[k]}`);
    }
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.offsiteRequests, []);
    await context.close();
  });

  it('scores the rest of the top digits on WebAssembly when the GPU device is lost mid-run, and says why', async () => {
    const { context, problems, text } = await loseMidRun('rf-vis-top', 'state', 'ready');
    assert.match(
      text,
      /All 10,000 test digits scored for every channel of conv1 and conv2 in your browser, in [\d.]+ s \(wasm; .*(lost|webgpu failed while running).*\)\./,
    );
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.offsiteRequests, []);
    await context.close();
  });
});
